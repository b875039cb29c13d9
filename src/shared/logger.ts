/**
 * The one pino logger. Secrets never print: known secret-bearing keys are redacted by path,
 * and every string that looks like a token (JWT, Slack/GitHub tokens, bearer headers, PEM keys)
 * is masked wherever it appears — in messages, fields or error texts.
 */
import pino, { type Logger } from "pino";

/** The logging port (services/ports/runtime.ts re-exports it): constant messages, data in fields. */
export interface Log {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  child(bindings: Record<string, unknown>): Log;
}

const TOKEN_PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, // JWT
  /xox[abposr]-[A-Za-z0-9-]{6,}/g, // Slack tokens
  /xapp-[A-Za-z0-9-]{6,}/g, // Slack app-level tokens
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Masks every token-looking substring. Exported for tests and for audit/export checks. */
export function scrub(text: string): string {
  let out = text;
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (m) => (m.startsWith("Bearer") || m.startsWith("Basic") || /^token/i.test(m) ? `${m.split(/\s+/)[0]} [redacted]` : "[redacted]"));
  return out;
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { type: value.name, message: scrub(value.message) };
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

export const REDACT_PATHS = [
  "token",
  "*.token",
  "secret",
  "*.secret",
  "password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "privateKey",
  "*.privateKey",
  "credential",
  "jwt",
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream; name?: string } = {}): Log {
  const logger = pino(
    {
      name: options.name ?? "grantbot",
      level: options.level ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === "string" ? scrub(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
  return wrapPino(logger);
}

function wrapPino(logger: Logger): Log {
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
    child: (bindings) => wrapPino(logger.child(bindings)),
  };
}

/** A logger that drops everything (CLI one-shots, tests that do not look at logs). */
export const silentLog: Log = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLog,
};
