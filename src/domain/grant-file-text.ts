/**
 * The text of `grants/<resource>/<grant-id>.yaml`: rendered deterministically by grantbot (the
 * bytes are compared at merge time), parsed defensively when read back. Pure.
 */
import { parseDocument, stringify } from "yaml";
import { grantFileSchema, type GrantFile } from "./grant-files.ts";

/** Key order of PRODUCT.md "File formats". */
export const GRANT_FILE_KEYS = [
  "id",
  "resource",
  "subject",
  "requester",
  "duration",
  "reason",
  "requested_at",
  "extends",
  "emergency",
  "owner",
] as const satisfies readonly (keyof GrantFile)[];

/** A grant file is a handful of short lines; anything far larger is not one. */
export const MAX_GRANT_FILE_BYTES = 16_384;

/**
 * Renders a grant file: keys in PRODUCT.md order, optional keys omitted when absent, scalars
 * quoted only when YAML needs it, long lines never folded, one trailing newline. The same input
 * always yields the same text.
 */
export function renderGrantFile(file: GrantFile): string {
  const ordered: Record<string, string | boolean> = {};
  for (const key of GRANT_FILE_KEYS) {
    const value = file[key];
    if (value !== undefined) ordered[key] = value;
  }
  const text = stringify(ordered, { lineWidth: 0, minContentWidth: 0, version: "1.2" });
  return text.endsWith("\n") ? text : `${text}\n`;
}

export type ParsedGrantFile = { ok: true; file: GrantFile } | { ok: false; message: string };

/**
 * Parses and validates grant file text. Never throws: YAML syntax errors, several documents,
 * duplicate keys, alias bombs, oversized input and schema violations all yield `{ ok: false }`
 * with a message naming the problem.
 */
export function parseGrantFileText(text: string): ParsedGrantFile {
  try {
    if (text.length > MAX_GRANT_FILE_BYTES) {
      return { ok: false, message: `the grant file is ${text.length} characters long; the limit is ${MAX_GRANT_FILE_BYTES}` };
    }
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, version: "1.2" });
    if (doc.errors.length > 0) {
      return { ok: false, message: `the grant file is not valid YAML: ${firstLine(doc.errors[0]?.message ?? "")}` };
    }
    const value: unknown = doc.toJS({ maxAliasCount: 10 });
    const parsed = grantFileSchema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message));
      return { ok: false, message: `the grant file is invalid: ${issues.join("; ")}` };
    }
    return { ok: true, file: parsed.data };
  } catch (cause) {
    // yaml throws ReferenceError for excessive aliasing; anything else is unexpected but must not escape.
    const message = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, message: `the grant file could not be read: ${firstLine(message)}` };
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
