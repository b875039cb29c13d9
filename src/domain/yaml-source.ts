/**
 * YAML text -> plain values, keeping positions so a problem found later (a zod issue, a policy
 * check) can name the line a person has to edit. Pure: text in, values and line numbers out.
 *
 * Defences: duplicate keys are errors (`uniqueKeys`), a document may expand at most
 * MAX_ALIAS_EXPANSIONS aliases (a "billion laughs" alias bomb fails in microseconds instead of
 * eating memory), and texts longer than MAX_YAML_CHARS are refused before parsing.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from "yaml";
import type { z } from "zod";

/** How many alias expansions a document may perform (yaml's `maxAliasCount`). */
export const MAX_ALIAS_EXPANSIONS = 100;
/** Hand-written grants files are small; anything larger is refused unparsed. */
export const MAX_YAML_CHARS = 1024 * 1024;

export type IssuePath = readonly PropertyKey[];
/** A problem inside one text; lines are 1-based. */
export interface SourceProblem {
  line: number;
  message: string;
}
export type ParsedYaml =
  | { ok: true; value: unknown; lineOf(path: IssuePath): number }
  | { ok: false; problems: SourceProblem[] };
export type ParsedYamlAs<T> =
  | { ok: true; value: T; lineOf(path: IssuePath): number }
  | { ok: false; problems: SourceProblem[] };

/** Parses one YAML document. Never throws: syntax errors and alias bombs come back as problems. */
export function parseYamlWithPositions(text: string): ParsedYaml {
  if (text.length > MAX_YAML_CHARS) {
    return { ok: false, problems: [{ line: 1, message: `file is larger than ${MAX_YAML_CHARS} characters` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({
      line: error.linePos?.[0].line ?? lineAt(error.pos[0]),
      message: `invalid YAML: ${firstLine(error.message)}`,
    }));
    return { ok: false, problems };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) {
      return {
        ok: false,
        problems: [{
          line: firstAliasLine(doc, lineAt),
          message: `refused: YAML aliases would expand more than ${MAX_ALIAS_EXPANSIONS} times (an alias bomb?); write the values out`,
        }],
      };
    }
    return { ok: false, problems: [{ line: 1, message: `invalid YAML: ${firstLine(message)}` }] };
  }
  return { ok: true, value, lineOf: (path) => lineOfPath(doc, path, lineAt) };
}

/**
 * Parses YAML and checks it with a zod schema; each zod issue becomes a problem on the line of
 * the key it concerns (or of its nearest existing parent, for a missing key).
 */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S): ParsedYamlAs<z.output<S>> {
  const parsed = parseYamlWithPositions(text);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  if (result.success) return { ok: true, value: result.data, lineOf: parsed.lineOf };
  // One problem per path: a value that is not a duration at all need not also be told it is
  // not in the short form (later refinements of the same value mostly restate the first).
  const seen = new Set<string>();
  const problems: SourceProblem[] = [];
  for (const { path, message } of result.error.issues.flatMap(describeIssue)) {
    const key = JSON.stringify(path.map(String));
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ line: parsed.lineOf(path), message });
  }
  return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
}

/** Turns one zod issue into sentences anchored at paths (an unknown-keys issue names each key). */
export function describeIssue(issue: z.core.$ZodIssue): { path: IssuePath; message: string }[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message: `unknown key "${pathLabel([...issue.path, key])}" (check the spelling)`,
    }));
  }
  const label = pathLabel(issue.path);
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
    return [{ path: issue.path, message: `missing key "${label}"` }];
  }
  return [{ path: issue.path, message: label ? `${label}: ${issue.message}` : issue.message }];
}

function pathLabel(path: IssuePath): string {
  return path.map((segment) => (typeof segment === "number" ? `[${segment}]` : String(segment))).join(".").replace(/\.\[/g, "[");
}

/** prettyErrors appends " at line L, column C:" and a code excerpt; keep the sentence only. */
function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?\s*$/, "");
}

function firstAliasLine(doc: Document, lineAt: (offset: number) => number): number {
  let line = 1;
  visit(doc, {
    Alias(_key, node) {
      if (node.range) line = lineAt(node.range[0]);
      return visit.BREAK;
    },
  });
  return line;
}

/** The line of the key (map) or item (sequence) at `path`; the deepest existing parent otherwise. */
function lineOfPath(doc: Document, path: IssuePath, lineAt: (offset: number) => number): number {
  let node: unknown = doc.contents;
  let line = rangeLine(node, lineAt) ?? 1;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      line = rangeLine(pair.key, lineAt) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      line = rangeLine(item, lineAt) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

function rangeLine(node: unknown, lineAt: (offset: number) => number): number | undefined {
  if (node === null || typeof node !== "object" || !("range" in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range && typeof range[0] === "number" ? lineAt(range[0]) : undefined;
}
