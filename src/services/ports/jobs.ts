/**
 * The durable job queue (services/jobs/ runs it). Times are epoch milliseconds.
 */

export type JobState = "queued" | "running" | "done" | "dead";

export interface JobSpec {
  kind: string;
  payload: Record<string, unknown>;
  /** When the job may first run (default: now). */
  runAt?: number;
  /** Enqueuing a second job with the same key is a no-op while the first exists (any state). */
  dedupeKey?: string;
  /** Jobs sharing a lock key never run at the same time (e.g. one SCIM user in one target). */
  lockKey?: string;
  /** After this many failed attempts the job is `dead` (alerted). Omit or null = retry forever. */
  maxAttempts?: number | null;
}

export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  runAt: number;
  attempts: number;
  maxAttempts: number | null;
  lastError: string | null;
  state: JobState;
  dedupeKey: string | null;
  lockKey: string | null;
  leaseUntil: number | null;
  createdAt: number;
}

export interface JobQueue {
  /** Durable enqueue; idempotent per dedupeKey. Returns the job id, or null when deduplicated. */
  enqueue(spec: JobSpec): Promise<number | null>;
  /**
   * `enqueue` for many jobs at once (one statement on PostgreSQL, one NOTIFY with the earliest
   * runAt): atomic, each de-duplicated by its dedupeKey (also against the others in the call: the
   * first wins). Returns how many were inserted. Throws `bad_input`, inserting none, when any
   * spec's maxAttempts is not a positive integer (or null).
   */
  enqueueMany(specs: readonly JobSpec[]): Promise<number>;
  /**
   * Claims up to `limit` runnable jobs: queued with runAt <= now, or running with an expired lease
   * (their worker crashed). Skips jobs whose lockKey is held by another unexpired running job.
   * Claimed jobs become `running` with leaseUntil = now + leaseMs and attempts + 1.
   * `excludeLockPrefixes`: skip jobs whose lock key starts with one of these (a batch of them is
   * already running).
   */
  claim(now: number, limit: number, leaseMs: number, kinds?: readonly string[], excludeLockPrefixes?: readonly string[]): Promise<Job[]>;
  /**
   * Extends the lease of these running jobs to `leaseUntil` (the live worker's heartbeat), so a
   * job that runs longer than one lease is not claimed again while it runs. Returns how many.
   */
  renew(ids: readonly number[], leaseUntil: number): Promise<number>;
  /** Marks a claimed job done. */
  complete(id: number): Promise<void>;
  /** Marks these claimed jobs done, in one statement (the runner's per-turn record of finished jobs). */
  completeAll(ids: readonly number[]): Promise<void>;
  /**
   * Records a failure. With `retryAt` the job goes back to `queued` at that time; with null it
   * becomes `dead`. Returns the resulting state.
   */
  fail(id: number, error: string, retryAt: number | null): Promise<JobState>;
  /** Earliest runAt among queued jobs (or lease end among running ones), or null when idle. */
  nextWakeAt(): Promise<number | null>;
  /** Queued + running jobs, by kind. */
  depth(): Promise<Record<string, number>>;
  get(id: number): Promise<Job | null>;
  /**
   * At start-up of the single grantbot process: jobs a previous (crashed) process left
   * `running` go back to `queued` at once instead of waiting for their lease to expire.
   */
  requeueRunning(): Promise<number>;
  /** Running jobs back to `queued` at once (their runner is stopping); returns how many. */
  release(ids: readonly number[]): Promise<number>;
  /** Deletes done and dead jobs finished before `before` (housekeeping); returns how many. */

  pruneFinished(before: number): Promise<number>;
  /**
   * Jobs of `kind` not yet done or dead (queued or running), optionally only those whose payload
   * names grant `grantId`: "is a removal of this grant still pending?". Oldest due first.
   */
  pendingOf(kind: string, grantId?: string): Promise<Job[]>;
  /** `pendingOf(kind, id)` for many grants at once: their jobs of `kind` still queued or running, oldest due first. */
  pendingOfGrants(kind: string, grantIds: readonly string[]): Promise<Job[]>;
  /** Jobs not yet done or dead that mention this dedupe key prefix (for tests and listings). */
  pending(prefix?: string): Promise<Job[]>;
}
