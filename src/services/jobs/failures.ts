/**
 * What happens when a job fails: retried with exponential backoff and full jitter (never sooner
 * than a `Retry-After` the remote asked for), an operator alert at the handler's
 * `alertAfterAttempts`, and — after `maxAttempts`, or at once for a non-retryable error of a
 * handler that gives up at all — `dead` with the handler's `onDead`. Revocations have
 * `maxAttempts: null`: they are retried forever.
 */
import { isAppError } from "../../domain/errors.ts";
import { backoffDelay } from "../../shared/backoff.ts";
import type { Clock, Job, JobQueue, Log, Metrics } from "../ports/index.ts";
import type { JobHandler } from "./handler.ts";

export interface FailureDeps {
  jobs: Pick<JobQueue, "fail">;
  clock: Clock;
  metrics: Pick<Metrics, "jobFailed">;
  retry: { baseMs: number; maxMs: number };
}

export async function recordFailure(deps: FailureDeps, job: Job, handler: JobHandler, err: unknown, log: Log): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const retryable = isAppError(err) ? err.retryable : true;
  const exhausted = handler.maxAttempts !== null && job.attempts >= handler.maxAttempts;
  deps.metrics.jobFailed(job.kind);
  const giveUp = exhausted || (!retryable && handler.maxAttempts !== null);
  if (giveUp) {
    // Not "dead": another instance took the job over after our lease lapsed; its outcome stands.
    if ((await deps.jobs.fail(job.id, message, null)) !== "dead") return;
    log.error({ err: message }, "job failed for good");
    await safely(() => handler.onDead?.(job.payload, message), log);
    return;
  }
  const now = deps.clock.now();
  const hinted = isAppError(err) ? (err as { retryAfterMs?: number }).retryAfterMs : undefined;
  const delay = Math.max(hinted ?? 0, backoffDelay(job.attempts, deps.retry));
  log.warn({ err: message, retryInMs: delay }, "job failed; will retry");
  if ((await deps.jobs.fail(job.id, message, now + delay)) !== "queued") return; // taken over elsewhere
  if (handler.alertAfterAttempts !== undefined && job.attempts === handler.alertAfterAttempts) {
    await safely(() => handler.onAlert?.(job.payload, message, job.attempts), log);
  }
}

async function safely(fn: () => unknown, log: Log): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.error({ err: String(err) }, "job failure hook failed");
  }
}
