/**
 * The durable job queue on PostgreSQL, shared by every grantbot instance on the database: the
 * semantics of SqliteJobQueue (read it first), plus ownership. A claimed job is leased to one
 * instance (`leased_by`) for a short, renewed time; renew, complete, fail and release only touch
 * jobs this instance still holds. An instance that dies keeps its jobs until their leases run out;
 * then any other instance's next claim takes them over (so a job may run twice: handlers are
 * idempotent, CONVENTIONS.md §2).
 *
 * Claims are serialized cluster-wide by a transaction-scoped advisory lock: the lock-key rule (two
 * jobs sharing a lock key never run at once) is a read-then-write across rows, which READ
 * COMMITTED alone would let two instances break. A claim holds the lock for one statement and its
 * commit; it never waits on a row lock (SKIP LOCKED), so a claim is not held up by an instance
 * completing or renewing its jobs.
 *
 * Every enqueue NOTIFYs `grantbot_jobs` with the job's runAt (delivered at commit; a batch sends one,
 * with its earliest runAt) so the other instances re-arm their timers when an earlier job appears
 * (PgJobListener).
 */
import { AppError } from "../../domain/errors.ts";
import { checkMaxAttempts, truncateError } from "../job-spec-rules.ts";
import type { Clock, Job, JobQueue, JobSpec, JobState } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";
import * as sql from "./pg-job-queue-sql.ts";

export { MAX_ERROR_LENGTH } from "../job-spec-rules.ts";

/** What the queue needs of PgDatabase: queries and ambient transactions. */
export interface PgTransactional extends Queryable {
  transaction<T>(fn: () => Promise<T>, options?: { durable?: boolean }): Promise<T>;
  /** Whether this async context is inside a transaction. */
  readonly inTransaction: boolean;
}

export interface PgJobQueueOptions {
  /** This instance's id, recorded as `leased_by` on the jobs it claims. Unique among live instances. */
  instanceId: string;
  /** NOTIFY the other instances on enqueue (default true). */
  notify?: boolean;
}

interface JobRow {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  run_at: number;
  attempts: number;
  max_attempts: number | null;
  last_error: string | null;
  state: JobState;
  dedupe_key: string | null;
  lock_key: string | null;
  lease_until: number | null;
  created_at: number;
}

function rowToJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    state: row.state,
    dedupeKey: row.dedupe_key,
    lockKey: row.lock_key,
    leaseUntil: row.lease_until,
    createdAt: row.created_at,
  };
}

export class PgJobQueue implements AsyncPort<JobQueue> {
  readonly instanceId: string;
  private readonly notify: boolean;

  constructor(
    private readonly db: PgTransactional,
    private readonly clock: Clock,
    options: PgJobQueueOptions,
  ) {
    if (!options.instanceId) throw new AppError("bad_input", "PgJobQueue needs an instance id");
    this.instanceId = options.instanceId;
    this.notify = options.notify ?? true;
  }

  /** Durable enqueue; idempotent per dedupeKey. Returns the job id, or null when deduplicated. */
  async enqueue(spec: JobSpec): Promise<number | null> {
    const now = this.clock.now();
    checkMaxAttempts(spec);
    const { rows } = await this.db.query<{ id: number }>(sql.INSERT_SQL, [
      now,
      spec.kind,
      JSON.stringify(spec.payload),
      spec.runAt ?? now,
      spec.maxAttempts ?? null,
      spec.dedupeKey ?? null,
      spec.lockKey ?? null,
      this.notify,
    ]);
    return rows[0]?.id ?? null;
  }

  /**
   * `enqueue` for many jobs in one statement (INSERT_MANY_SQL), inserted in the given order, each
   * de-duplicated by its dedupeKey (also against the specs before it: the first wins), with one
   * NOTIFY carrying the earliest inserted runAt. Every maxAttempts is checked first: a bad one
   * throws `bad_input` and inserts none. Returns how many were inserted.
   */
  async enqueueMany(specs: readonly JobSpec[]): Promise<number> {
    for (const spec of specs) checkMaxAttempts(spec);
    if (specs.length === 0) return 0;
    const now = this.clock.now();
    const rows = specs.map((spec) => ({
      kind: spec.kind,
      payload: spec.payload,
      run_at: spec.runAt ?? now,
      max_attempts: spec.maxAttempts ?? null,
      dedupe_key: spec.dedupeKey ?? null,
      lock_key: spec.lockKey ?? null,
    }));
    const result = await this.db.query<{ n: number }>(sql.INSERT_MANY_SQL, [now, JSON.stringify(rows), this.notify]);
    return result.rows[0]?.n ?? 0;
  }

  /**
   * Claims up to `limit` runnable jobs for this instance (see JobQueue.claim). Expired leases are
   * first buried or re-queued; then, under the cluster-wide claim lock, one statement picks and
   * leases the jobs — all in one call of `jobs_claim_*` (pg-job-queue-sql.ts): outside a
   * transaction one round trip, its own transaction committed without waiting for the disk (a lost
   * lease only makes an idempotent job run again); inside the caller's, a savepoint of it.
   */
  async claim(now: number, limit: number, leaseMs: number, kinds?: readonly string[], excludeLockPrefixes?: readonly string[]): Promise<Job[]> {
    if (limit <= 0 || kinds?.length === 0) return [];
    const exclude = excludeLockPrefixes && excludeLockPrefixes.length > 0 ? [...excludeLockPrefixes] : null;
    const window = limit * 4 + 16;
    const rows = await this.ownTransaction((relaxed) =>
      this.db.query<JobRow & Record<string, unknown>>(
        `SELECT * FROM ${kinds ? "jobs_claim_kinds" : "jobs_claim_any"}($1, $2, $3, $4, $5, $6, $7, $8)`,
        [now, exclude, window, limit, leaseMs, this.instanceId, kinds ? [...kinds] : null, relaxed],
      ),
    );
    return rows.rows.map(rowToJob).sort((a, b) => a.runAt - b.runAt || a.id - b.id);
  }

  /**
   * Runs one call that is a transaction of its own: alone (autocommit, `relaxed` true: committed
   * without waiting for the disk) outside a transaction, in a savepoint (`relaxed` false: the
   * caller's commit stays as durable as it asked) inside one.
   */
  private ownTransaction<T>(call: (relaxed: boolean) => Promise<T>): Promise<T> {
    return this.db.inTransaction ? this.db.transaction(() => call(false)) : call(true);
  }

  /**
   * Marks a job done if this instance still holds it. Idempotent; a job that is no longer running,
   * or that another instance took over after this one's lease ran out, is left as it is (the
   * other instance's run decides its outcome).
   */
  async complete(id: number): Promise<void> {
    await this.completeAll([id]);
  }

  /** `complete` for many jobs: one round trip (`jobs_complete`), relaxed like a claim. */
  async completeAll(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ownTransaction((relaxed) => this.db.query("SELECT jobs_complete($1, $2, $3, $4)", [this.clock.now(), [...ids], this.instanceId, relaxed]));
  }

  /**
   * Records a failure if this instance still holds the job. A job at its maxAttempts goes `dead`
   * even when `retryAt` is given. A job that is not running, or is held by another instance, is
   * unchanged and its current state returned (as SQLite returns it for a job no longer running).
   * Throws `internal` for a job that does not exist.
   */
  async fail(id: number, error: string, retryAt: number | null): Promise<JobState> {
    const { rows } = await this.db.query<{ state: JobState }>(sql.FAIL_SQL, [this.clock.now(), id, this.instanceId, truncateError(error), retryAt]);
    if (rows[0]) return rows[0].state;
    const job = await this.get(id);
    if (!job) throw new AppError("internal", `job ${id} does not exist`);
    return job.state;
  }

  /**
   * Extends the leases of these jobs to `leaseUntil` — only those still running AND leased by this
   * instance: a job another instance took over after this one's lease lapsed stays with it.
   * Returns how many were renewed.
   */
  async renew(ids: readonly number[], leaseUntil: number): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.db.query(sql.RENEW_SQL, [[...ids], leaseUntil, this.instanceId])).rowCount ?? 0;
  }

  /**
   * Hands back the leases of these jobs this instance still holds (a bounded stop gave up waiting
   * for them): queued again at once, keeping their place, for any instance. Returns how many.
   */
  async release(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.db.query(sql.RELEASE_SQL, [this.clock.now(), [...ids], this.instanceId])).rowCount ?? 0;
  }

  /**
   * At start-up: re-queues the jobs left `running` under THIS instance id (a restart of an instance
   * with a stable id: its previous process died holding them). Unlike SQLite it never touches
   * other instances' jobs — they may be alive and running them; a dead instance's jobs are taken
   * over when their short leases run out. With a fresh id per process this returns 0.
   */
  async requeueRunning(): Promise<number> {
    return (await this.db.query(sql.REQUEUE_MINE_SQL, [this.clock.now(), this.instanceId])).rowCount ?? 0;
  }

  /** Earliest runAt among queued jobs, or lease end among running ones (any instance's), or null. */
  async nextWakeAt(): Promise<number | null> {
    const { rows } = await this.db.query<{ at: number | null }>(sql.NEXT_WAKE_SQL);
    return rows[0]?.at ?? null;
  }

  /** Queued + running jobs, by kind. */
  async depth(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ kind: string; n: number }>(sql.DEPTH_SQL);
    return Object.fromEntries(rows.map(({ kind, n }) => [kind, n]));
  }

  async get(id: number): Promise<Job | null> {
    const { rows } = await this.db.query<JobRow & Record<string, unknown>>("SELECT * FROM jobs WHERE id = $1", [id]);
    return rows[0] ? rowToJob(rows[0]) : null;
  }

  /** Jobs of `kind` still queued or running, optionally only those naming grant `grantId`. */
  async pendingOf(kind: string, grantId?: string): Promise<Job[]> {
    const { rows } = grantId === undefined
      ? await this.db.query<JobRow & Record<string, unknown>>(sql.PENDING_OF_KIND_SQL, [kind])
      : await this.db.query<JobRow & Record<string, unknown>>(sql.PENDING_OF_GRANT_SQL, [kind, grantId]);
    return rows.map(rowToJob);
  }

  /** Jobs of `kind` still queued or running that name any of these grants, oldest due first (ties by id). */
  async pendingOfGrants(kind: string, grantIds: readonly string[]): Promise<Job[]> {
    if (grantIds.length === 0) return [];
    const { rows } = await this.db.query<JobRow & Record<string, unknown>>(sql.PENDING_OF_GRANTS_SQL, [kind, [...grantIds]]);
    return rows.map(rowToJob);
  }

  /** Jobs still queued or running whose dedupe key starts with `prefix` (all of them without one). */
  async pending(prefix?: string): Promise<Job[]> {
    const { rows } = prefix === undefined
      ? await this.db.query<JobRow & Record<string, unknown>>(sql.PENDING_SQL)
      : await this.db.query<JobRow & Record<string, unknown>>(sql.PENDING_WITH_PREFIX_SQL, [prefix, `${prefix}\u{10FFFF}`]);
    return rows.map(rowToJob);
  }

  /**
   * Deletes done/dead jobs last touched before `before` (housekeeping). Their dedupe keys become
   * free again, so only prune well after the work they guarded is settled.
   */
  async pruneFinished(before: number): Promise<number> {
    return (await this.db.query(sql.PRUNE_SQL, [before])).rowCount ?? 0;
  }
}
