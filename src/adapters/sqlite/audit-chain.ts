/**
 * The pure parts of the audit log: canonical JSON, the row hash, and the secret detector that
 * keeps tokens out of a log that is exported and kept forever.
 */
import { createHash } from "node:crypto";
import { AppError } from "../../domain/errors.ts";

export const GENESIS_HASH = "0".repeat(64);

/**
 * JSON with object keys sorted (recursively) and no whitespace, so the same value always hashes
 * the same. Values JSON cannot represent follow JSON.stringify (undefined keys dropped, NaN ->
 * null), which is why the appender stores exactly what this returns.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === "function") return sortKeys(toJSON.call(value));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export interface HashedFields {
  seq: number;
  at: number;
  actor: string;
  action: string;
  grantId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
}

/** sha256 (hex) of the canonical JSON of exactly these seven fields. */
export function rowHash(fields: HashedFields): string {
  const { seq, at, actor, action, grantId, data, prevHash } = fields;
  return createHash("sha256")
    .update(canonicalJson({ seq, at, actor, action, grantId, data, prevHash }))
    .digest("hex");
}

const SECRET_PATTERNS: readonly [kind: string, pattern: RegExp][] = [
  ["a JWT", /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/],
  ["a Slack token", /xox[abeprs]-[A-Za-z0-9-]{6,}|xapp-\d-[A-Za-z0-9-]{6,}/],
  ["a GitHub token", /\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/],
  ["a PEM block", /-----BEGIN [A-Z0-9 ]+-----/],
];

/** What kind of secret `text` looks like, or null. */
export function secretKind(text: string): string | null {
  for (const [kind, pattern] of SECRET_PATTERNS) if (pattern.test(text)) return kind;
  return null;
}

/**
 * Throws `bad_input` when any string in `value` (keys included) looks like a credential. The
 * message names where, never the value.
 */
export function assertNoSecrets(value: unknown, path = "data"): void {
  if (typeof value === "string") {
    const kind = secretKind(value);
    if (kind) throw new AppError("bad_input", `audit ${path} looks like ${kind}; secrets never go into the audit log`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertNoSecrets(item, `${path}[${i}]`));
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      assertNoSecrets(key, `${path} key`);
      assertNoSecrets(item, `${path}.${key}`);
    }
  }
}
