/**
 * Filter handling for the SCIM test server, fixing scimmy 1.3 deviations:
 * - its tokenizer rejects escaped quotes (`"a\"b"`), although RFC 7644 §3.4.2.2 filter values are
 *   JSON strings: literals are swapped for placeholders before scimmy parses and restored after;
 * - it compares `userName` case-sensitively (RFC 7643 §4.1.1 says caseExact=false);
 * - `Filter.match` throws on a record lacking a filtered complex attribute, so one odd record
 *   would fail a whole list: records are matched one at a time.
 */
import SCIMMY from "scimmy";

const PLACEHOLDER = /^__lit_(\d+)__$/;

export class FilterSyntaxError extends Error {}

/**
 * Replaces each JSON string literal in `filter` by `"__lit_N__"`; returns the decoded values (the
 * raw text between the quotes with `raw`, the lie of servers that do not unescape).
 */
export function extractLiterals(filter: string, options: { raw?: boolean } = {}): { filter: string; literals: string[] } {
  const literals: string[] = [];
  let out = "";
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i];
    if (ch !== '"') {
      out += ch;
      continue;
    }
    let j = i + 1;
    while (j < filter.length && filter[j] !== '"') j += filter[j] === "\\" ? 2 : 1;
    if (j >= filter.length) throw new FilterSyntaxError("Unterminated string in filter");
    let value: unknown;
    try {
      value = JSON.parse(filter.slice(i, j + 1));
    } catch {
      throw new FilterSyntaxError(`Invalid string literal in filter: ${filter.slice(i, j + 1)}`);
    }
    out += `"__lit_${literals.length}__"`;
    literals.push(options.raw ? filter.slice(i + 1, j) : String(value));
    i = j;
  }
  return { filter: out, literals };
}

/** AWS IAM Identity Center accepts only `attr eq value` joined by `and`. */
export function isEqAndOnly(filterWithPlaceholders: string): boolean {
  const term = String.raw`[A-Za-z][\w.:$-]*\s+eq\s+(?:"__lit_\d+__"|true|false|null|-?\d+(?:\.\d+)?)`;
  return new RegExp(String.raw`^\s*${term}(?:\s+and\s+${term})*\s*$`, "i").test(filterWithPlaceholders);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function mapExpression(node: Json, key: string | null, fn: (value: Json, key: string | null) => Json): Json {
  if (Array.isArray(node)) return node.map((child) => mapExpression(child, key, fn));
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapExpression(v, k, fn)]));
  }
  return fn(node, key);
}

export interface MatchOptions {
  literals: string[];
  /** AWS form: `members eq "U"` means "has a member whose value is U". */
  membersEqMeansValue?: boolean;
}

/** Builds a predicate from scimmy's parsed filter, restoring literals and fixing case rules. */
export function compileFilter(
  filter: InstanceType<typeof SCIMMY.Types.Filter>,
  options: MatchOptions,
): (record: Record<string, unknown>) => boolean {
  let expressions = JSON.parse(JSON.stringify([...filter])) as Json[];
  expressions = mapExpression(expressions, null, (value, key) => {
    let restored = value;
    if (typeof value === "string") {
      const hit = PLACEHOLDER.exec(value);
      if (hit) restored = options.literals[Number(hit[1])] ?? value;
    }
    if (typeof restored === "string" && key?.toLowerCase() === "username") return restored.toLowerCase();
    return restored;
  }) as Json[];
  if (options.membersEqMeansValue) {
    expressions = expressions.map((branch) => {
      if (branch === null || typeof branch !== "object" || Array.isArray(branch)) return branch;
      const members = branch.members;
      return Array.isArray(members) ? { ...branch, members: { value: members } } : branch;
    });
  }
  const compiled = new SCIMMY.Types.Filter(expressions as Record<string, unknown>[]);
  return (record) => {
    const comparable =
      typeof record.userName === "string" ? { ...record, userName: record.userName.toLowerCase() } : record;
    try {
      return compiled.match([comparable]).length > 0;
    } catch {
      return false; // scimmy throws when the record lacks the filtered complex attribute
    }
  };
}
