/**
 * Retry timing, pure. Used by the job queue's callers (SCIM, GitHub, Slack retries).
 */

export interface BackoffOptions {
  /** Cap of the first retry's delay window (attempt 1). */
  baseMs: number;
  /** The window never grows beyond this. */
  maxMs: number;
  /** Uniform [0, 1) source; injected in tests. Default Math.random. */
  random?: () => number;
}

/**
 * Delay before retrying after failed attempt number `attempt` (1-based): exponential growth with
 * "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform value in
 * [0, min(maxMs, baseMs * 2^(attempt-1))). Jitter spreads the retries of many jobs that failed
 * together (a SCIM target that was down) instead of hammering it in lock-step when it returns.
 * Whole milliseconds.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const random = opts.random ?? Math.random;
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2 ** 1100 is Infinity; Math.min then yields maxMs, so large attempt counts are safe.
  const window = Math.max(0, Math.min(opts.maxMs, opts.baseMs * 2 ** exponent));
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * window);
}

const DELAY_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;

/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `now` (never negative: a date in the past means "now"), or null when
 * the header is absent or unparseable.
 */
export function retryAfterToMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (trimmed === "") return null;
  const seconds = DELAY_SECONDS.exec(trimmed);
  if (seconds) return Math.round(Number(seconds[1]) * 1000);
  // An HTTP-date names a weekday or month ("Wed, 21 Oct 2015 07:28:00 GMT"); requiring letters
  // keeps Date.parse from accepting odd numeric strings.
  if (!/[A-Za-z]{3}/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
