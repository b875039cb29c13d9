/**
 * Runs the durable job queue. Every side effect grantbot performs is a job: it survives a crash
 * (re-claimed after restart), is retried with backoff, and runs no earlier than its `runAt` —
 * a timer is armed for the earliest due job, so an expiry runs at its second, not at the next
 * sweep. Jobs sharing a lock key never overlap.
 */
import { backoffDelay } from "../shared/backoff.ts";
import { isAppError } from "../domain/errors.ts";
import type { Clock, Job, JobQueue, Log, Metrics, Timers } from "./ports.ts";

export interface JobContext {
  job: Job;
  log: Log;
}

export interface JobHandler {
  run(payload: Record<string, unknown>, ctx: JobContext): Promise<void>;
  /** Attempts before the job is given up (`dead`). null = retry forever (revocations). */
  maxAttempts: number | null;
  /** Called once when the job is given up. */
  onDead?(payload: Record<string, unknown>, error: string): Promise<void> | void;
  /** Called once, at the given attempt, while the job keeps failing (operator alert). */
  alertAfterAttempts?: number;
  onAlert?(payload: Record<string, unknown>, error: string, attempts: number): Promise<void> | void;
}

export interface JobRunnerOptions {
  concurrency: number;
  leaseMs: number;
  retry: { baseMs: number; maxMs: number };
}

export class JobRunner {
  private running = new Set<Promise<void>>();
  private timer: { cancel(): void } | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = true;
  private ticking = false;
  private tickAgain = false;

  constructor(
    private readonly deps: { jobs: JobQueue; clock: Clock; timers: Timers; log: Log; metrics: Metrics },
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly options: JobRunnerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Stops claiming and waits for jobs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await Promise.allSettled([...this.running]);
  }

  /** New work may be due: claim now and re-arm the timer. Cheap; safe to call often. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    queueMicrotask(() => this.tick());
  }

  /** Waits until no job is due or running (tests, demo, CLI one-shots). */
  async drain(timeoutMs = 30_000): Promise<void> {
    for (let waited = 0; ; waited += 5) {
      await Promise.allSettled([...this.running]);
      const next = this.deps.jobs.nextWakeAt();
      if (this.running.size === 0 && (next === null || next > this.deps.clock.now())) return;
      if (waited > timeoutMs) throw new Error("job queue did not drain in time");
      this.wake();
      await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, 5));
    }
  }

  get inFlight(): number {
    return this.running.size;
  }

  private tick(): void {
    try {
      this.tickAgain = false;
      if (this.stopped) return;
      const free = this.options.concurrency - this.running.size;
      if (free > 0) {
        const now = this.deps.clock.now();
        const jobs = this.deps.jobs.claim(now, free, this.options.leaseMs, Object.keys(this.handlers));
        for (const job of jobs) this.launch(job);
      }
      this.arm();
    } catch (err) {
      this.deps.log.error({ err: String(err) }, "job runner tick failed");
      this.armAt(this.deps.clock.now() + 1_000);
    } finally {
      this.ticking = false;
      if (this.tickAgain) this.wake();
    }
  }

  private arm(): void {
    const next = this.deps.jobs.nextWakeAt();
    if (next === null) return;
    this.armAt(next);
  }

  private armAt(at: number): void {
    if (this.stopped) return;
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    const delay = Math.max(0, at - this.deps.clock.now());
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, delay);
  }

  private launch(job: Job): void {
    const p = this.execute(job).finally(() => {
      this.running.delete(p);
      this.wake();
    });
    this.running.add(p);
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers[job.kind];
    const log = this.deps.log.child({ jobId: job.id, jobKind: job.kind, attempt: job.attempts });
    if (!handler) {
      this.deps.jobs.fail(job.id, `no handler for job kind ${job.kind}`, null);
      return;
    }
    try {
      await handler.run(job.payload, { job, log });
      this.deps.jobs.complete(job.id);
    } catch (err) {
      await this.failed(job, handler, err, log);
    }
  }

  private async failed(job: Job, handler: JobHandler, err: unknown, log: Log): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const retryable = isAppError(err) ? err.retryable : true;
    const exhausted = handler.maxAttempts !== null && job.attempts >= handler.maxAttempts;
    this.deps.metrics.jobFailed(job.kind);
    const giveUp = exhausted || (!retryable && handler.maxAttempts !== null);
    if (giveUp) {
      log.error({ err: message }, "job failed for good");
      this.deps.jobs.fail(job.id, message, null);
      await this.safely(() => handler.onDead?.(job.payload, message), log);
      return;
    }
    const now = this.deps.clock.now();
    const hinted = isAppError(err) ? (err as { retryAfterMs?: number }).retryAfterMs : undefined;
    const delay = Math.max(hinted ?? 0, backoffDelay(job.attempts, this.options.retry));
    log.warn({ err: message, retryInMs: delay }, "job failed; will retry");
    this.deps.jobs.fail(job.id, message, now + delay);
    if (handler.alertAfterAttempts !== undefined && job.attempts === handler.alertAfterAttempts) {
      await this.safely(() => handler.onAlert?.(job.payload, message, job.attempts), log);
    }
  }

  private async safely(fn: () => unknown, log: Log): Promise<void> {
    try {
      await fn();
    } catch (err) {
      log.error({ err: String(err) }, "job failure hook failed");
    }
  }
}
