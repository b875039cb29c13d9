/**
 * Error mapping at the GitHub boundary (CONVENTIONS.md §6): every failure leaves the adapter as an
 * AppError. Outages and rate limits are `target_unavailable` (retryable, with `retryAfterMs` when
 * GitHub said how long to wait); other 4xx are `target_rejected` with GitHub's own message.
 * Messages never contain credentials.
 */
import { AppError } from "../../domain/errors.ts";
import { retryAfterToMs } from "../../shared/backoff.ts";

/** What Octokit's RequestError carries (duck-typed so this module needs no Octokit import). */
interface HttpFailure {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** An AppError that tells the job runner when to retry (read as `retryAfterMs`). */
export type GithubError = AppError & { status?: number; retryAfterMs?: number };

function isHttpFailure(err: unknown): err is HttpFailure {
  return typeof err === "object" && err !== null && typeof (err as { status?: unknown }).status === "number";
}

/** GitHub tokens (classic, fine-grained, app installation, OAuth), JWTs and `token x` headers. */
const SECRET_PATTERNS = [
  /\b(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
  /\b(token|bearer)\s+[A-Za-z0-9._-]{8,}/gi,
];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((t, re) => t.replace(re, (m, scheme?: string) => (typeof scheme === "string" ? `${scheme} [REDACTED]` : "[REDACTED]")), text);
}

function header(failure: HttpFailure, name: string): string | null {
  const value = failure.response?.headers?.[name];
  return value === undefined ? null : String(value);
}

/** GitHub's `message` from the error body, else the RequestError message. */
function githubMessage(failure: HttpFailure): string {
  const data = failure.response?.data;
  if (data && typeof data === "object" && typeof (data as { message?: unknown }).message === "string") {
    const body = data as { message: string; errors?: Array<{ message?: string; code?: string; field?: string }> };
    const details = (body.errors ?? []).map((e) => e.message ?? [e.field, e.code].filter(Boolean).join(" ")).filter((s) => s !== "");
    return details.length > 0 ? `${body.message} (${details.join("; ")})` : body.message;
  }
  return failure.message;
}

/**
 * Converts anything thrown by Octokit into an AppError. `what` names the operation
 * ("pulls.create #12") for the message; `now` is only used for HTTP-date / reset headers.
 */
export function toGithubError(err: unknown, what: string, now: () => number): GithubError {
  if (err instanceof AppError) return err;
  if (!isHttpFailure(err) || err.response === undefined) {
    // No HTTP response: connection refused/reset, DNS, TLS, timeout (Octokit reports these as 500).
    const message = err instanceof Error ? err.message : String(err);
    return new AppError("target_unavailable", redact(`GitHub ${what} failed: ${message}`), { cause: err });
  }
  const status = err.status;
  const message = redact(githubMessage(err));
  const retryAfter = retryAfterToMs(header(err, "retry-after"), now());
  const remaining = header(err, "x-ratelimit-remaining");
  const reset = header(err, "x-ratelimit-reset");
  const rateLimited = status === 429 || (status === 403 && (remaining === "0" || retryAfter !== null));
  if (status >= 500 || rateLimited) {
    let retryAfterMs = retryAfter;
    if (retryAfterMs === null && remaining === "0" && reset !== null && /^\d+$/.test(reset)) {
      retryAfterMs = Math.max(0, Number(reset) * 1000 - now());
    }
    const hint = retryAfterMs === null ? "" : ` (retry after ${Math.ceil(retryAfterMs / 1000)}s)`;
    const error: GithubError = new AppError("target_unavailable", `GitHub ${what}: ${status} ${message}${hint}`, { cause: err });
    error.status = status;
    if (retryAfterMs !== null) error.retryAfterMs = retryAfterMs;
    return error;
  }
  const error: GithubError = new AppError("target_rejected", `GitHub ${what}: ${status} ${message}`, { cause: err });
  error.status = status;
  return error;
}

/** The HTTP status of an Octokit failure (304, 404, 422...), or null. */
export function statusOf(err: unknown): number | null {
  return isHttpFailure(err) && err.response !== undefined ? err.status : null;
}

/** GitHub's error message of an Octokit failure, for matching ("Reference already exists"). */
export function messageOf(err: unknown): string {
  return isHttpFailure(err) ? githubMessage(err) : String(err);
}
