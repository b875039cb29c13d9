/**
 * Stopping the job runner within a bound: it claims nothing more at once; jobs already running get
 * until the bound, and the leases of those still running then are handed back to the queue
 * (queued again, runnable at once by the next start or another process) instead of waiting out
 * their lease. A job that finishes after its lease was handed back records nothing (its
 * completion is conditional on still holding it) and simply runs again: handlers are idempotent.
 */
import type { Log, Timers } from "../../services/ports/index.ts";

export interface StoppableRunner {
  stop(): Promise<void>;
  readonly activeJobs: ReadonlyArray<{ id: number; kind: string }>;
}

export interface LeaseReleaser {
  /** Running jobs back to queued (JobQueue.release). */
  release(ids: readonly number[]): Promise<number>;
}

/** True when `promise` settled within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number, timers: Timers): Promise<boolean> {
  let timer: { cancel(): void } | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = timers.setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(() => true, () => true);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    timer?.cancel();
  }
}

/** Hands the leases of the runner's running jobs back; returns them as `kind#id`. */
export async function handBackRunning(runner: StoppableRunner, jobs: LeaseReleaser): Promise<string[]> {
  const active = runner.activeJobs;
  if (active.length > 0) await jobs.release(active.map((j) => j.id));
  return active.map((j) => `${j.kind}#${j.id}`);
}

/**
 * Stops the runner, waiting for running jobs at most `boundMs` (without a bound: until they end),
 * then hands back the leases of those still running. Returns those jobs as `kind#id`.
 */
export async function stopRunnerWithin(runner: StoppableRunner, jobs: LeaseReleaser, boundMs: number | undefined, timers: Timers, log: Log): Promise<string[]> {
  const stopped = runner.stop();
  if (boundMs === undefined) {
    await stopped;
    return [];
  }
  if (await settlesWithin(stopped, boundMs, timers)) return [];
  const handedBack = await handBackRunning(runner, jobs);
  if (handedBack.length > 0) log.warn({ jobs: handedBack, boundMs }, "jobs still running at the shutdown bound were handed back to the queue");
  return handedBack;
}
