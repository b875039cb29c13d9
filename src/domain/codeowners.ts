/**
 * The `.github/CODEOWNERS` block derived from `grants/catalog.yaml`: one line per resource naming
 * its approver teams and users, so GitHub requests reviews from them on each grant PR. Only the
 * block between the BEGIN/END markers is generated; every other line belongs to the operators
 * (ownership of catalog.yaml, people.yaml, .github/, a default owner) and is kept as written.
 * CODEOWNERS is last-match-wins, so a new block goes at the end of the file. Pure.
 */
import type { Catalog } from "./grant-files.ts";

export const CODEOWNERS_BEGIN = "# BEGIN grantbot (generated from grants/catalog.yaml; do not edit)";
export const CODEOWNERS_END = "# END grantbot";
const BEGIN_PREFIX = "# BEGIN grantbot";

export interface CodeownersBlock {
  /** The block from its BEGIN line to its END line, "\n"-terminated lines, trailing blanks trimmed. */
  block: string;
  /** 1-based line of the BEGIN marker. */
  startLine: number;
  /** 1-based line of the END marker. */
  endLine: number;
}

/** Renders the generated block (ends with "\n"): resources and owners sorted, owners deduplicated. */
export function renderCodeowners(catalog: Pick<Catalog, "resources">): string {
  const lines = [CODEOWNERS_BEGIN];
  for (const id of Object.keys(catalog.resources).sort(byCodePoint)) {
    const resource = catalog.resources[id];
    if (!resource) continue;
    const owners = [
      ...unique(resource.approvers.teams).sort(byCodePoint),
      ...unique(resource.approvers.users).sort(byCodePoint),
    ].map((owner) => `@${owner}`);
    lines.push(`/grants/${id}/ ${owners.join(" ")}`.trimEnd());
  }
  lines.push(CODEOWNERS_END);
  return `${lines.join("\n")}\n`;
}

/**
 * Finds the grantbot block. Returns null when there is none, or when a BEGIN marker has no END
 * marker after it (the file was edited by hand; it must be repaired before it can be spliced).
 */
export function findCodeownersBlock(text: string): CodeownersBlock | null {
  const lines = splitLines(text);
  const start = lines.findIndex((line) => line.trim().startsWith(BEGIN_PREFIX));
  if (start < 0) return null;
  const length = lines.slice(start).findIndex((line) => line.trim() === CODEOWNERS_END);
  if (length < 0) return null;
  const block = lines.slice(start, start + length + 1).map((line) => line.trimEnd());
  return { block: `${block.join("\n")}\n`, startLine: start + 1, endLine: start + length + 1 };
}

/** The block text (see findCodeownersBlock), or null. Compare it with renderCodeowners(catalog). */
export function extractCodeownersBlock(text: string): string | null {
  return findCodeownersBlock(text)?.block ?? null;
}

/** Whether a BEGIN marker exists without its END marker. */
export function hasUnterminatedCodeownersBlock(text: string): boolean {
  return findCodeownersBlock(text) === null && splitLines(text).some((line) => line.trim().startsWith(BEGIN_PREFIX));
}

/**
 * Puts `block` into `existing` CODEOWNERS text: replaces the current block in place, or appends
 * it at the end (last match wins, so the generated lines override a default `*` owner above).
 * Lines outside the block are kept byte for byte. Throws when a BEGIN marker has no END marker,
 * rather than guessing how much of a hand-edited file to replace.
 */
export function spliceCodeowners(existing: string | null, block: string): string {
  const normalized = block.endsWith("\n") ? block : `${block}\n`;
  if (existing === null || existing.trim() === "") return normalized;
  if (hasUnterminatedCodeownersBlock(existing)) {
    throw new Error(`CODEOWNERS has "${BEGIN_PREFIX}" without "${CODEOWNERS_END}"; repair it by hand first`);
  }
  const found = findCodeownersBlock(existing);
  const eol = existing.includes("\r\n") ? "\r\n" : "\n";
  const withEol = normalized.replace(/\n/g, eol);
  if (!found) {
    const body = existing.endsWith("\n") ? existing : `${existing}${eol}`;
    return `${body}${eol}${withEol}`;
  }
  const lines = existing.split(/(?<=\n)/);
  const before = lines.slice(0, found.startLine - 1).join("");
  const after = lines.slice(found.endLine).join("");
  return `${before}${withEol}${after}`;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function unique(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
