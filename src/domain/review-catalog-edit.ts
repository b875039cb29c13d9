/**
 * The edit an access-review PR makes to `grants/catalog.yaml`: move some standing members'
 * `review_after` and delete others, in one resource, touching only those lines — comments,
 * key order and the formatting of everything else stay byte for byte (a YAML round trip would
 * reformat flow collections all over the file, and reviewers would have to read noise).
 *
 * The edit is idempotent (moving to a date already set, deleting someone absent: no change), and
 * checked: the result is parsed again and must equal the intended change on the parsed values,
 * or the function throws rather than let a wrong edit reach a PR. Pure.
 */
import { isMap, isScalar, isSeq, parse, parseDocument, type Node, type Pair } from "yaml";
import { sameValue } from "./review-diff.ts";

export interface StandingEdit {
  /** email -> the review_after to write. */
  moves: ReadonlyMap<string, string>;
  /** Emails whose line is deleted. */
  removals: ReadonlySet<string>;
}

interface TextEdit {
  start: number;
  end: number;
  text: string;
}

type Entry = string | { email: string; review_after: string };

function lineStart(text: string, at: number): number {
  return text.lastIndexOf("\n", at - 1) + 1;
}

/** [start, end of the node's last character]: a block map's value range runs on past its newline. */
function rangeOf(node: Node, text?: string): [number, number] {
  const range = node.range;
  if (!range) throw new Error("catalog.yaml: a node without a source position");
  let end = range[1];
  if (text !== undefined) while (end > range[0] && /\s/.test(text[end - 1]!)) end--;
  return [range[0], end];
}

function emailOf(item: unknown): string | null {
  if (isScalar(item)) return typeof item.value === "string" ? item.value : null;
  if (isMap(item)) {
    const email = item.get("email");
    return typeof email === "string" ? email : null;
  }
  return null;
}

function reviewAfterOf(item: unknown): string | null {
  if (!isMap(item)) return null;
  const value = item.get("review_after");
  return typeof value === "string" ? value : null;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = `${out.slice(0, e.start)}${e.text}${out.slice(e.end)}`;
  return out;
}

function entryText(entry: Entry, indent: string): string {
  return typeof entry === "string" ? entry : `email: ${entry.email}\n${indent}review_after: ${entry.review_after}`;
}

/** The whole value after `standing_members:` rewritten (flow lists, or nobody left). */
function rewriteValue(text: string, seq: Node, pair: Pair<Node, Node>, entries: Entry[]): TextEdit {
  const [start, flowEnd] = rangeOf(seq);
  // A block list's range runs on to the next key's indentation: stop at the end of its last item's line.
  const last = isSeq(seq) && !seq.flow ? (seq.items.at(-1) as Node | undefined) : undefined;
  const lineEnd = last ? text.indexOf("\n", rangeOf(last, text)[1]) : -1;
  const end = last ? (lineEnd === -1 ? text.length : lineEnd) : flowEnd;
  let from = start;
  while (from > 0 && (text[from - 1] === " " || text[from - 1] === "\t" || text[from - 1] === "\n" || text[from - 1] === "\r")) from--;
  if (entries.length === 0) return { start: from, end, text: " []" };
  const keyStart = rangeOf(pair.key)[0];
  const indent = " ".repeat(keyStart - lineStart(text, keyStart) + 2);
  const lines = entries.map((e) => `\n${indent}- ${entryText(e, `${indent}  `)}`);
  return { start: from, end, text: lines.join("") };
}

/** Returns the edited catalog text (the same text when nothing applies). Throws when the catalog cannot be edited safely. */
export function editStandingMembers(text: string, resource: string, edit: StandingEdit): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`catalog.yaml is not valid YAML: ${doc.errors[0]!.message}`);
  const res = doc.getIn(["resources", resource], true);
  if (!isMap(res)) throw new Error(`catalog.yaml has no resource ${resource}`);
  const pair = res.items.find((p) => isScalar(p.key) && p.key.value === "standing_members") as Pair<Node, Node> | undefined;
  const seq = pair?.value;
  if (!pair || !isSeq(seq)) return text;

  const edits: TextEdit[] = [];
  const entries: Entry[] = [];
  let changed = false;
  for (const item of seq.items) {
    const email = emailOf(item);
    if (email === null) throw new Error(`catalog.yaml: a standing member of ${resource} is neither an email nor { email, review_after }`);
    const node = item as Node;
    const [s, ve] = rangeOf(node, text);
    if (edit.removals.has(email)) {
      changed = true;
      const end = text.indexOf("\n", ve);
      edits.push({ start: lineStart(text, s), end: end === -1 ? text.length : end + 1, text: "" });
      continue;
    }
    const date = edit.moves.get(email);
    if (date === undefined || date === reviewAfterOf(item)) {
      entries.push(isMap(item) ? { email, review_after: reviewAfterOf(item) ?? "" } : email);
      continue;
    }
    changed = true;
    entries.push({ email, review_after: date });
    if (isMap(item)) {
      const value = item.items.find((p) => isScalar(p.key) && p.key.value === "review_after")?.value as Node | undefined;
      if (!value) throw new Error(`catalog.yaml: ${email} has no review_after to move`);
      const [vs, vve] = rangeOf(value);
      edits.push({ start: vs, end: vve, text: date });
    } else {
      edits.push({ start: s, end: ve, text: entryText({ email, review_after: date }, " ".repeat(s - lineStart(text, s))) });
    }
  }
  if (!changed) return text;
  const out = seq.flow || entries.length === 0 ? applyEdits(text, [rewriteValue(text, seq, pair, entries)]) : applyEdits(text, edits);
  verify(text, out, resource, entries);
  return out;
}

/** The edited text must parse to the original with exactly this resource's standing members replaced. */
function verify(before: string, after: string, resource: string, entries: Entry[]): void {
  const expected = parse(before) as { resources: Record<string, Record<string, unknown>> };
  expected.resources[resource]!.standing_members = entries;
  let actual: unknown;
  try {
    actual = parse(after, { uniqueKeys: true });
  } catch (err) {
    throw new Error(`editing catalog.yaml produced invalid YAML: ${(err as Error).message}`);
  }
  if (!sameValue(actual, expected)) throw new Error(`editing the standing members of ${resource} in catalog.yaml changed more than intended; edit it by hand`);
}
