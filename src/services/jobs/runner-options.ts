/** How the job runner (runner.ts) is configured and what it needs. */
import type { Clock, JobQueue, Log, Metrics, Timers, Transactor } from "../ports/index.ts";
import type { Foreground } from "./foreground.ts";

export interface JobRunnerOptions {
  concurrency: number;
  leaseMs: number;
  retry: { baseMs: number; maxMs: number };
}

export interface JobRunnerDeps {
  jobs: JobQueue;
  clock: Clock;
  timers: Timers;
  log: Log;
  metrics: Metrics;
  /** When given, finished jobs are recorded together with the next claim (group commit). */
  tx?: Transactor;
  /** Interactive requests in flight: while busy, only revocation batches start (see foreground.ts). */
  foreground?: Foreground;
}
