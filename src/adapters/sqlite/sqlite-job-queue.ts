/**
 * The durable job queue (expiries, revocations, SCIM retries, notifications) on SQLite.
 * A job is claimed with a lease. When its worker dies (kill -9) the row stays `running` until the
 * lease passes; then the job is runnable again. So nothing is lost, and a job may run twice:
 * handlers must be idempotent (CONVENTIONS.md §2).
 */
import type Database from "better-sqlite3";
import { AppError } from "../../domain/errors.ts";
import { checkMaxAttempts, truncateError } from "../job-spec-rules.ts";
import type { Clock, Job, JobSpec, JobState } from "../../services/ports/index.ts";
import { inTransaction } from "./database.ts";
import { BURY_EXHAUSTED_SQL, CANDIDATES_SQL, candidatesOfKindsSql, LEASE_SQL, REQUEUE_EXPIRED_SQL } from "./sqlite-job-queue-sql.ts";

export { candidatesOfKindsSql } from "./sqlite-job-queue-sql.ts";

export { MAX_ERROR_LENGTH } from "../job-spec-rules.ts";

interface JobRow {
  id: number;
  kind: string;
  payload: string;
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
    payload: JSON.parse(row.payload) as Record<string, unknown>,
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

export class SqliteJobQueue {
  private readonly stmts;
  /** Candidate statements by number of kinds (kinds are bound as parameters). */
  private readonly byKindCount = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.stmts = {
      insert: db.prepare<Record<string, unknown>, number>(
        `INSERT INTO jobs (kind, payload, run_at, max_attempts, dedupe_key, lock_key, created_at, updated_at)
         VALUES (@kind, @payload, @runAt, @maxAttempts, @dedupeKey, @lockKey, @now, @now)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      ).pluck(),
      bury: db.prepare(BURY_EXHAUSTED_SQL),
      requeueExpired: db.prepare(REQUEUE_EXPIRED_SQL),
      candidates: db.prepare<Record<string, unknown>, { id: number; lock_key: string | null }>(CANDIDATES_SQL),
      lease: db.prepare<Record<string, unknown>, JobRow>(LEASE_SQL),
      complete: db.prepare(
        "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running'",
      ),
      fail: db.prepare<Record<string, unknown>, JobState>(
        `UPDATE jobs SET
           state = CASE WHEN @retryAt IS NULL OR (max_attempts IS NOT NULL AND attempts >= max_attempts)
                        THEN 'dead' ELSE 'queued' END,
           run_at = COALESCE(@retryAt, run_at), last_error = @error, lease_until = NULL, updated_at = @now
         WHERE id = @id AND state = 'running' RETURNING state`,
      ).pluck(),
      get: db.prepare<[number], JobRow>("SELECT * FROM jobs WHERE id = ?"),
      // Two index lookups (the earliest queued run_at; the few running leases), not a scan of
      // every pending job: the runner asks this after every claim.
      nextWake: db
        .prepare<[], number | null>(
          `SELECT MIN(at) FROM (
             SELECT MIN(run_at) AS at FROM jobs WHERE state = 'queued'
             UNION ALL
             SELECT MIN(lease_until) AS at FROM jobs INDEXED BY jobs_running_lease WHERE state = 'running')`,
        )
        .pluck(),
      depth: db.prepare<[], { kind: string; n: number }>(
        "SELECT kind, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') GROUP BY kind ORDER BY kind",
      ),
      pending: db.prepare<[], JobRow>("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY run_at, id"),
      pendingOfKind: db.prepare<[{ kind: string }], JobRow>("SELECT * FROM jobs WHERE kind = @kind AND state IN ('queued', 'running') ORDER BY run_at, id"),
      // grant_id is a generated column (migration 8) with a partial index over pending jobs.
      pendingOfGrant: db.prepare<[{ kind: string; grantId: string }], JobRow>(
        "SELECT * FROM jobs WHERE grant_id = @grantId AND kind = @kind AND state IN ('queued', 'running') ORDER BY run_at, id",
      ),
      pendingOfGrants: db.prepare<[{ kind: string; grantIds: string }], JobRow>(
        "SELECT * FROM jobs WHERE grant_id IN (SELECT value FROM json_each(@grantIds)) AND kind = @kind AND state IN ('queued', 'running') ORDER BY run_at, id",
      ),
      // A range on dedupe_key's unique index (`+state` keeps the planner off the state index):
      // removal jobs ask this for every grant they finish; a scan of all pending jobs each time
      // adds up when a thousand grants end together.
      pendingWithPrefix: db.prepare<[{ prefix: string; end: string }], JobRow>(
        `SELECT * FROM jobs WHERE +state IN ('queued', 'running') AND dedupe_key >= @prefix AND dedupe_key < @end
         ORDER BY run_at, id`,
      ),
      prune: db.prepare("DELETE FROM jobs WHERE state IN ('done', 'dead') AND updated_at < ?"),
      requeue: db.prepare("UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = ? WHERE state = 'running'"),
      renew: db.prepare("UPDATE jobs SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?)) AND state = 'running'"),
      release: db.prepare("UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND state = 'running'"),
    };
  }

  enqueue(spec: JobSpec): number | null {
    const now = this.clock.now();
    checkMaxAttempts(spec);
    const id = this.stmts.insert.get({
      kind: spec.kind,
      payload: JSON.stringify(spec.payload),
      runAt: spec.runAt ?? now,
      maxAttempts: spec.maxAttempts ?? null,
      dedupeKey: spec.dedupeKey ?? null,
      lockKey: spec.lockKey ?? null,
      now,
    });
    return id ?? null;
  }

  /**
   * `enqueue` for many jobs, in one transaction (a savepoint inside the caller's), in the given
   * order: each de-duplicated by its dedupeKey, also against the specs before it (the first wins).
   * Every maxAttempts is checked first: a bad one throws `bad_input` and inserts none. Returns how
   * many were inserted.
   */
  enqueueMany(specs: readonly JobSpec[]): number {
    for (const spec of specs) checkMaxAttempts(spec);
    if (specs.length === 0) return 0;
    return inTransaction(this.db, () => {
      let inserted = 0;
      for (const spec of specs) if (this.enqueue(spec) !== null) inserted += 1;
      return inserted;
    });
  }

  claim(now: number, limit: number, leaseMs: number, kinds?: readonly string[], excludeLockPrefixes?: readonly string[]): Job[] {
    if (limit <= 0 || kinds?.length === 0) return [];
    const exclude = excludeLockPrefixes && excludeLockPrefixes.length > 0 ? JSON.stringify(excludeLockPrefixes) : null;
    return inTransaction(this.db, () => {
      this.stmts.bury.run({ now });
      this.stmts.requeueExpired.run({ now });
      const window = limit * 4 + 16;
      const candidates = kinds
        ? this.candidatesOfKinds(kinds).all({ now, exclude, window, ...Object.fromEntries(kinds.map((k, i) => [`k${i}`, k])) })
        : this.stmts.candidates.all({ now, exclude, window });
      const keys = new Set<string>();
      const ids: number[] = [];
      for (const c of candidates) {
        if (ids.length >= limit) break;
        if (c.lock_key !== null) {
          if (keys.has(c.lock_key)) continue;
          keys.add(c.lock_key);
        }
        ids.push(c.id);
      }
      if (ids.length === 0) return [];
      const rows = this.stmts.lease.all({ now, leaseMs, ids: JSON.stringify(ids) });
      return rows.map(rowToJob).sort((a, b) => a.runAt - b.runAt || a.id - b.id);
    });
  }

  /** The prepared candidates statement for a list of kinds (the runner asks for the same few lists). */
  private candidatesOfKinds(kinds: readonly string[]): Database.Statement<Record<string, unknown>, { id: number; lock_key: string | null }> {
    let stmt = this.byKindCount.get(kinds.length);
    if (!stmt) this.byKindCount.set(kinds.length, (stmt = this.db.prepare(candidatesOfKindsSql(kinds.length))));
    return stmt as Database.Statement<Record<string, unknown>, { id: number; lock_key: string | null }>;
  }

  /** Idempotent; a job that is no longer running (already completed) is left as it is. */
  complete(id: number): void {
    this.completeAll([id]);
  }

  /** `complete` for many jobs. */
  completeAll(ids: readonly number[]): void {
    const now = this.clock.now();
    for (const id of ids) this.stmts.complete.run(now, id);
  }

  /**
   * A job at its maxAttempts goes `dead` even when `retryAt` is given. A job that is not running
   * (already completed or failed) is unchanged and its current state returned.
   */
  fail(id: number, error: string, retryAt: number | null): JobState {
    const state = this.stmts.fail.get({ id, error: truncateError(error), retryAt, now: this.clock.now() });
    if (state !== undefined) return state;
    const job = this.stmts.get.get(id);
    if (!job) throw new AppError("internal", `job ${id} does not exist`);
    return job.state;
  }

  nextWakeAt(): number | null {
    return this.stmts.nextWake.get() ?? null;
  }

  depth(): Record<string, number> {
    return Object.fromEntries(this.stmts.depth.all().map(({ kind, n }) => [kind, n]));
  }

  get(id: number): Job | null {
    const row = this.stmts.get.get(id);
    return row ? rowToJob(row) : null;
  }

  pendingOf(kind: string, grantId?: string): Job[] {
    const rows = grantId === undefined ? this.stmts.pendingOfKind.all({ kind }) : this.stmts.pendingOfGrant.all({ kind, grantId });
    return rows.map(rowToJob);
  }

  /** Jobs of `kind` still queued or running that name any of these grants, oldest due first (ties by id). */
  pendingOfGrants(kind: string, grantIds: readonly string[]): Job[] {
    if (grantIds.length === 0) return [];
    return this.stmts.pendingOfGrants.all({ kind, grantIds: JSON.stringify(grantIds) }).map(rowToJob);
  }

  pending(prefix?: string): Job[] {
    const rows = prefix === undefined ? this.stmts.pending.all() : this.stmts.pendingWithPrefix.all({ prefix, end: `${prefix}\u{10FFFF}` });
    return rows.map(rowToJob);
  }

  requeueRunning(): number {
    return this.stmts.requeue.run(this.clock.now()).changes;
  }

  /**
   * Hands the leases of these running jobs back (a bounded stop gave up waiting for them): they are
   * queued again at once, keeping their place, for the next start or another process.
   */
  renew(ids: readonly number[], leaseUntil: number): number {
    return ids.length === 0 ? 0 : this.stmts.renew.run(leaseUntil, JSON.stringify(ids)).changes;
  }

  release(ids: readonly number[]): number {
    return ids.length === 0 ? 0 : this.stmts.release.run(this.clock.now(), JSON.stringify(ids)).changes;
  }

  /**
   * Deletes done/dead jobs last touched before `before` (housekeeping). Their dedupe keys become
   * free again, so only prune well after the work they guarded is settled.
   */
  pruneFinished(before: number): number {
    return this.stmts.prune.run(before).changes;
  }
}
