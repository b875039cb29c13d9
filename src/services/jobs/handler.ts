/**
 * What the job runner (runner.ts) calls for each job kind. Handlers are registered by kind in
 * handlers.ts, each through typed-handler.ts so it sees its kind's parsed payload.
 */
import type { Job, Log } from "../ports/index.ts";

export interface JobContext {
  job: Job;
  log: Log;
}

export interface BatchContext {
  log: Log;
}

/**
 * What a batch run reports: for each job that failed, its error. Every other job of the batch is
 * done. Each job keeps its own attempts, backoff, alert and dead-letter handling.
 */
export type BatchFailures = Map<number, unknown>;

export interface JobHandler {
  run(payload: Record<string, unknown>, ctx: JobContext): Promise<void>;
  /** Attempts before the job is given up (`dead`). null = retry forever (revocations). */
  maxAttempts: number | null;
  /** Called once when the job is given up. */
  onDead?(payload: Record<string, unknown>, error: string): Promise<void> | void;
  /** Called once, at the given attempt, while the job keeps failing (operator alert). */
  alertAfterAttempts?: number;
  onAlert?(payload: Record<string, unknown>, error: string, attempts: number): Promise<void> | void;
  /**
   * Optional: run due jobs of this kind together. `key(job)` is a prefix of the lock keys of
   * jobs that may share a batch (e.g. `scim:<target>:`); one batch per key runs at a time.
   */
  batch?: {
    /** Most jobs in one batch. */
    size: number;
    key(job: Job): string;
    /**
     * Batches of one key may overlap when the runner allows it (`parallelBatches`, PostgreSQL):
     * for work that waits on the database, not on a remote system that more requests would slow.
     */
    parallel?: boolean;
    run(jobs: Job[], ctx: BatchContext): Promise<BatchFailures>;
  };
}
