/**
 * Field builders shared by the environment schema and the GRANTBOT_CONFIG file schema. Each
 * builder's error messages say what a valid value looks like; the formatter in issues.ts adds
 * the variable or YAML path and (for non-secrets) the offending value.
 */
import { z } from "zod";
import { DURATION_HINT, parseDuration } from "../domain/durations.ts";
import { Secret } from "./secret.ts";

/**
 * Metadata attached with `.meta()` to every documented field; the README reference table is
 * rendered from it (reference.ts), and `hint` doubles as the "is not set" explanation.
 */
export interface FieldDoc {
  /** One sentence: what the setting does. */
  description: string;
  /** "yes", "no", or the condition under which it is required. */
  required: string;
  /** The default as a user would write it, when there is one. */
  default?: string;
  /** A realistic example value (never a real secret). */
  example?: string;
  /** True when the value is wrapped in a Secret and must never be echoed. */
  secret?: boolean;
  /** What a valid value looks like, e.g. "expected owner/name, e.g. acme/grants". */
  hint: string;
}

/** Attaches documentation metadata (a typed `.meta()`), returning the same schema. */
export function documented<T extends z.ZodType>(schema: T, doc: FieldDoc): T {
  return schema.meta({ ...doc }) as T;
}

/** Reads back the documentation attached with `documented`, if any. */
export function docOf(schema: z.ZodType): FieldDoc | undefined {
  const meta = schema.meta();
  if (!meta || typeof meta.description !== "string" || typeof meta.hint !== "string") return undefined;
  return meta as unknown as FieldDoc;
}

/** A string whose wrong type (e.g. a YAML number) gets `hint` instead of zod's generic text. */
export function text(hint: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? undefined : hint) });
}

/** A string matching `pattern`; any mismatch (or wrong type) reports `hint`. */
export function matching(pattern: RegExp, hint: string) {
  return text(hint).regex(pattern, { error: hint });
}

/** A duration such as `30s` or `PT4H`, parsed to milliseconds. */
export function durationMs(options: { minMs?: number } = {}) {
  return text(`expected ${DURATION_HINT}`).transform((value, ctx) => {
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    if (options.minMs !== undefined && parsed.ms < options.minMs) {
      ctx.addIssue({ code: "custom", message: `must be at least ${options.minMs / 1000}s` });
      return z.NEVER;
    }
    return parsed.ms;
  });
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export interface UrlOptions {
  /** "https": only https, except http on loopback (local test servers). "http": http or https. */
  scheme: "https" | "http";
  /** "strip" removes trailing slashes (for joining `${base}/path`); "add" ensures exactly one. */
  trailingSlash: "strip" | "add";
}

/** An absolute http(s) URL, normalised per `options.trailingSlash`. */
export function urlString(options: UrlOptions) {
  const hint = options.scheme === "https"
    ? "expected an https URL (http only for localhost), e.g. https://scim.example.com/scim/v2"
    : "expected an http(s) URL, e.g. https://grantbot.example.com";
  return text(hint).transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: hint });
      return z.NEVER;
    }
    const secure = url.protocol === "https:";
    const allowed = secure || (url.protocol === "http:" && (options.scheme === "http" || LOOPBACK_HOSTS.has(url.hostname)));
    if (!allowed || url.username || url.password || url.hash) {
      ctx.addIssue({ code: "custom", message: url.username || url.password ? `${hint}, without user:password` : hint });
      return z.NEVER;
    }
    const base = url.toString().replace(/\/+$/, "");
    return options.trailingSlash === "add" ? `${base}/` : base;
  });
}

/**
 * How strong a secret grantbot accepts: at least `minLength` characters, and not a placeholder
 * such as `xxxxxxxx…` (fewer than MIN_DISTINCT_CHARACTERS different characters). `rule` says why
 * and how to make a good one; it ends the error message, so the operator sees the rule.
 */
export interface SecretStrength {
  minLength: number;
  rule: string;
}

/** A random 32-character hex or base64 string has 14+ different characters all but never fewer than 8. */
export const MIN_DISTINCT_CHARACTERS = 8;

/** Why `value` is too weak for `strength`, or null. Never includes the value. */
export function secretWeakness(value: string, strength: SecretStrength): string | null {
  const length = [...value].length;
  if (length < strength.minLength) return `must be at least ${strength.minLength} characters (got ${length}): ${strength.rule}`;
  const distinct = new Set(value).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) {
    return `has only ${distinct} different characters, so it looks like a placeholder, not a random value: ${strength.rule}`;
  }
  return null;
}

/** A non-empty secret string (optionally with a prefix or a strength rule), wrapped in a Secret. */
export function secretString(options: { prefix?: string; strength?: SecretStrength; hint: string }) {
  return text(options.hint).transform((value, ctx) => {
    if (value.length === 0 || (options.prefix !== undefined && !value.startsWith(options.prefix))) {
      ctx.addIssue({ code: "custom", message: options.hint });
      return z.NEVER;
    }
    const weakness = options.strength ? secretWeakness(value, options.strength) : null;
    if (weakness) {
      ctx.addIssue({ code: "custom", message: weakness });
      return z.NEVER;
    }
    return new Secret(value);
  });
}

/** A whole number in [min, max]; accepts digits in a string too (env vars, `${VAR}` in YAML). */
export function integer(min: number, max: number, hint: string) {
  return z.preprocess(
    (value) => (typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value),
    z.number({ error: (issue) => (issue.input === undefined ? undefined : hint) }).int({ error: hint }).min(min, { error: hint }).max(max, { error: hint }),
  );
}
