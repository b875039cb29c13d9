/**
 * How SCIM failures become AppErrors (the AccessTarget port's contract):
 * - network error, timeout, 5xx, 429 -> `target_unavailable` (retryable), with `retryAfterMs`
 *   when the server sent Retry-After (delta-seconds or an HTTP date, RFC 9110 §10.2.3);
 * - any other non-2xx -> `target_rejected`, message `SCIM target <name>: <status> <scimType>: <detail>`
 *   built from the SCIM Error schema (RFC 7644 §3.12; `status` is a string there);
 * - a reply that does not match the SCIM schema -> `bad_input`.
 * Messages name the target and the request path, never the bearer token (redacted defensively
 * in case a server echoes it) and never the query string (it may hold an email).
 */
import { AppError, type ErrorCode } from "../../domain/errors.ts";
import type { z } from "zod";
import { ScimErrorSchema } from "./scim-schemas.ts";

export interface ScimErrorDetails {
  target: string;
  /** `METHOD /path` of the failed request. */
  request?: string;
  status?: number;
  scimType?: string;
  detail?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class ScimTargetError extends AppError {
  readonly target: string;
  readonly request: string | undefined;
  readonly status: number | undefined;
  readonly scimType: string | undefined;
  readonly detail: string | undefined;
  /** How long the server asked us to wait (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, details: ScimErrorDetails) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.target = details.target;
    this.request = details.request;
    this.status = details.status;
    this.scimType = details.scimType;
    this.detail = details.detail;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Retry-After as milliseconds from `now`; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined; // an HTTP date always names a day/month
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Removes every occurrence of `secret` from `text`. */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join("*****");
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export function errorFromResponse(input: {
  target: string;
  request: string;
  status: number;
  retryAfter: string | null;
  bodyText: string;
  token: string;
  now: number;
}): ScimTargetError {
  let parsed: z.infer<typeof ScimErrorSchema> | undefined;
  try {
    const result = ScimErrorSchema.safeParse(JSON.parse(input.bodyText));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON: an HTML error page from a proxy, say; the status still tells what happened
  }
  const scimType = parsed?.scimType;
  const rawDetail = parsed?.detail ?? input.bodyText.slice(0, 200).trim();
  const detail = redact(rawDetail, input.token);
  const status = input.status;
  const head = `SCIM target ${input.target}: ${status}${scimType ? ` ${scimType}` : ""}`;
  const message = `${head}: ${detail || "(no detail)"} (${input.request})`;
  const retryable = isRetryableStatus(status);
  return new ScimTargetError(retryable ? "target_unavailable" : "target_rejected", message, {
    target: input.target,
    request: input.request,
    status,
    ...(scimType ? { scimType } : {}),
    detail,
    ...(retryable ? { retryAfterMs: parseRetryAfter(input.retryAfter, input.now) } : {}),
  });
}

export function unreachableError(target: string, request: string, cause: unknown, timeoutMs: number): ScimTargetError {
  const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
  const reason = timedOut
    ? `no answer within ${timeoutMs} ms`
    : `network error: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`;
  return new ScimTargetError("target_unavailable", `SCIM target ${target}: ${reason} (${request})`, {
    target,
    request,
    cause,
  });
}

export function badReplyError(target: string, request: string, problem: string): ScimTargetError {
  return new ScimTargetError("bad_input", `SCIM target ${target}: invalid reply to ${request}: ${problem}`, {
    target,
    request,
  });
}

/** Formats zod issues as `path: message; ...` (values are not echoed). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
