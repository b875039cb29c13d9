/** How the job runner (runner.ts) is configured and what it needs. */
import type { Clock, JobQueue, Log, Metrics, Timers, Transactor } from "../ports/index.ts";
import type { Foreground } from "./foreground.ts";

export interface JobRunnerOptions {
  concurrency: number;
  leaseMs: number;
  retry: { baseMs: number; maxMs: number };
  /**
   * Claim inside the turn's bookkeeping transaction (default true: one commit per turn on the
   * single-process SQLite store). false on PostgreSQL, where claims serialize cluster-wide.
   */
  groupClaims?: boolean;
  /**
   * Batches of one kind and key that may run at once, for kinds whose batch says `parallel`
   * (default 1: the next batch collects what arrived meanwhile — one writer, one fsync per batch,
   * on SQLite). On PostgreSQL an expiry batch waits on round trips, not on the disk, and jobs
   * sharing a lock key still never run together (the claim's rule), so several run side by side.
   */
  parallelBatches?: number;
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

/** Re-check interval for due jobs that could not be claimed (see arm()). */
export const RECHECK_BLOCKED_MS = 250;
/**
 * How long after a notification of jobs already due (PostgreSQL NOTIFY) this instance claims
 * (wakeAt). The instance that queued them is awake and claims them itself at once; the others look
 * this much later, so a burst of notifications costs each of them one claim, not one per
 * notification, and the queuing instance's own batch takes its jobs first. Should that instance
 * have died before claiming, this is the delay. Jobs due later arm the timer for their moment.
 */
export const NOTIFIED_DUE_DELAY_MS = 100;
/**
 * Slots other jobs (DMs, redactions, PR comments, card updates) may use while revocation batches
 * run: one, so they keep moving without competing with the removals for this process's event loop
 * (measured with 1,000 simultaneous expiries: 4 slots left removals ~10% later at p99; holding
 * them back entirely for up to 2 s made no measurable difference).
 */
export const SLOTS_WHILE_REVOKING = 1;
/** Longest time other jobs wait for interactive requests to be answered. */
export const MAX_FOREGROUND_WAIT_MS = 50;
