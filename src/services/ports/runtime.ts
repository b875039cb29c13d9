/**
 * Time, logging, metrics and timers: the only way services read the clock or report.
 */

// Clock, Timers and Log are defined with their implementations in shared/ (which imports nothing
// from services) and are part of the services' ports all the same.
export type { Clock, Timers } from "../../shared/clock.ts";
export type { Log } from "../../shared/logger.ts";

export interface Metrics {
  requestFiled(resource: string): void;
  activated(resource: string, latencyMs: number): void;
  ended(resource: string, reason: string): void;
  /** Scheduled expiry -> membership removal confirmed. */
  expiryLag(ms: number): void;
  jobFailed(kind: string): void;
}


/** One periodic task. */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run(): Promise<unknown> | unknown;
}

/** Runs periodic work (adapters/scheduler). A task never overlaps itself; a failing run is logged. */
export interface Scheduler {
  /** At second 0 of every minute. */
  everyMinute(name: string, run: () => Promise<unknown> | unknown): void;
  /** Every `everyMs` (a slow run skips the next tick). */
  every(task: PeriodicTask): void;
  /** Runs `run` now under the same no-overlap guard as the named task. */
  runNow(name: string, run: () => Promise<unknown> | unknown): Promise<void>;
}
