/**
 * Secrets never appear in an evidence report, even where a person pasted one into text grantbot
 * keeps (a reason, an error message): every string of the report passes through `redactReport`
 * before it is rendered. The patterns are the audit log's (JWTs, Slack and GitHub tokens, PEM
 * blocks) plus bearer headers and SCIM-style `token=` assignments. Pure.
 */

const SECRET_PATTERNS: readonly RegExp[] = [
  /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /xox[abeprs]-[A-Za-z0-9-]{6,}|xapp-\d-[A-Za-z0-9-]{6,}/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/g,
  /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g,
  /\b(?:bearer|basic)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,}/gi,
];
/** `token=abc…`, `password: abc…`: the name and separator stay, the value goes. */
const ASSIGNMENT = /\b(token|secret|password|api[_-]?key)(\s*[=:]\s*)[^\s,;]{6,}/gi;

/** Every pattern above needs one of these; most strings (emails, ids, times) are passed by one test. */
const MAYBE_SECRET = /eyJ|xox|xapp-|gh[pousr]_|github_pat_|-----BEGIN|bearer|basic|token|secret|password|api[_-]?key/i;

export const REDACTED = "[redacted]";

/** `text` with every secret-looking part replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    if (!out) break;
    out = out.replace(pattern, REDACTED);
  }
  return out.replace(ASSIGNMENT, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`);
}

/** A deep copy of `value` with every string (object keys too) passed through redactSecrets. */
export function redactReport<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[redactSecrets(key)] = redactValue(item);
    return out;
  }
  return value;
}
