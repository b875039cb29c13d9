/**
 * The longer statements of SqliteJobQueue (sqlite-job-queue.ts), kept apart so the queue reads as
 * its rules (as pg-job-queue-sql.ts does for PostgreSQL).
 */

/**
 * What makes a due job `j` claimable: not under an excluded lock-key prefix (a batch of that key is
 * running) and not behind a live lease on its own lock key.
 */
const CLAIMABLE = `
  AND (@exclude IS NULL OR j.lock_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM json_each(@exclude) e WHERE substr(j.lock_key, 1, length(e.value)) = e.value))
  AND (j.lock_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM jobs h
    WHERE h.state = 'running' AND h.lock_key = j.lock_key AND h.lease_until > @now))`;

/**
 * Candidates of any kind, earliest first: queued, due and claimable. Read in index order
 * (state, run_at) and cut at a window a few times the limit, so a claim costs the same with 10 or
 * 10,000 due jobs; the caller keeps the first job per lock key (a batch never holds a key twice)
 * and leases those. A lock key that shows up more than once in the window only delays its later
 * jobs to the next claim, which is when they could run anyway.
 */
export const CANDIDATES_SQL = `
SELECT j.id, j.lock_key FROM jobs j
WHERE j.state = 'queued' AND j.run_at <= @now${CLAIMABLE}
ORDER BY j.run_at, j.id
LIMIT @window`;

/**
 * The same for the given kinds, read along the (kind, state, run_at, id) index one kind at a time
 * (one compound statement, each arm cut at the window): due jobs of other kinds (a thousand
 * notifications queued behind a burst of revocations) are never read.
 */
export function candidatesOfKindsSql(count: number): string {
  const arm = (i: number) => `SELECT * FROM (
  SELECT j.id, j.lock_key, j.run_at FROM jobs j
  WHERE j.kind = @k${i} AND j.state = 'queued' AND j.run_at <= @now${CLAIMABLE}
  ORDER BY j.run_at, j.id
  LIMIT @window)`;
  return `${Array.from({ length: count }, (_, i) => arm(i)).join("\nUNION ALL\n")}\nORDER BY run_at, id\nLIMIT @window`;
}

export const LEASE_SQL = `
UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = @now + @leaseMs, updated_at = @now
WHERE id IN (SELECT value FROM json_each(@ids)) AND state = 'queued'
RETURNING *`;

/** Jobs whose worker died (lease expired) go back to the queue, keeping their place (runAt). */
export const REQUEUE_EXPIRED_SQL = `
UPDATE jobs INDEXED BY jobs_running_lease SET state = 'queued', lease_until = NULL, updated_at = @now
WHERE state = 'running' AND lease_until <= @now`;

/**
 * A job whose worker died mid-run as many times as it may attempt: dead, not re-run forever
 * (a job that crashes the process would otherwise crash every restart).
 */
export const BURY_EXHAUSTED_SQL = `
UPDATE jobs INDEXED BY jobs_running_lease SET state = 'dead', lease_until = NULL, updated_at = @now,
  last_error = 'lease expired on the last allowed attempt (the worker stopped or crashed)'
WHERE state = 'running' AND lease_until <= @now AND max_attempts IS NOT NULL AND attempts >= max_attempts`;
