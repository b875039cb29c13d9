/**
 * The statements of PgJobQueue (pg-job-queue.ts), kept apart so the queue reads as its rules.
 * Every value is a parameter; `$1` is always `now` where a statement takes one.
 */

/**
 * Channel the queue NOTIFYs on every enqueue (payload: the job's runAt; for a batch, the earliest
 * inserted runAt) and listeners LISTEN on.
 */
export const JOBS_CHANNEL = "grantbot_jobs";

/** The cluster-wide advisory lock every claim takes (transaction-scoped): see PgJobQueue.claim. */
export const CLAIM_LOCK = "grantbot.jobs.claim";

/** Insert; `$8`: notify. Returns the id (no row when deduplicated). NOTIFY is sent at commit. */
export const INSERT_SQL = `
WITH ins AS (
  INSERT INTO jobs (kind, payload, run_at, max_attempts, dedupe_key, lock_key, created_at, updated_at)
  VALUES ($2, $3, $4, $5, $6, $7, $1, $1)
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id, run_at)
SELECT id, CASE WHEN $8::boolean THEN pg_notify('${JOBS_CHANNEL}', run_at::text) END AS notified FROM ins`;

/**
 * Many inserts in one statement: `$2` a JSON array of specs ({kind, payload, run_at, max_attempts,
 * dedupe_key, lock_key}), inserted in array order (ids ascending in that order: jobs due at the
 * same time run by id); a dedupe key already present, or earlier in the array, skips the spec.
 * `$3`: notify — one NOTIFY with the earliest inserted runAt. Returns `n`, how many were inserted.
 */
export const INSERT_MANY_SQL = `
WITH ins AS (
  INSERT INTO jobs (kind, payload, run_at, max_attempts, dedupe_key, lock_key, created_at, updated_at)
  SELECT s.spec->>'kind', s.spec->'payload', (s.spec->>'run_at')::bigint, (s.spec->>'max_attempts')::int,
    s.spec->>'dedupe_key', s.spec->>'lock_key', $1, $1
  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS s(spec, ord)
  ORDER BY s.ord
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING run_at)
SELECT count(*)::int AS n,
  CASE WHEN $3::boolean AND count(*) > 0 THEN pg_notify('${JOBS_CHANNEL}', min(run_at)::text) END AS notified
FROM ins`;

/**
 * Before a claim: expired leases (their instance died, or stalled past its lease). A job at its
 * last allowed attempt is buried (`dead`), the others go back to `queued`, keeping their place.
 * SKIP LOCKED: a row its owner is renewing or completing right now is left alone, not waited on.
 */
export const EXPIRE_SQL = `
WITH buried AS (
  UPDATE jobs SET state = 'dead', lease_until = NULL, updated_at = $1,
    last_error = 'lease expired on the last allowed attempt (the worker stopped or crashed)'
  WHERE id IN (
    SELECT id FROM jobs WHERE state = 'running' AND lease_until <= $1
      AND max_attempts IS NOT NULL AND attempts >= max_attempts
    FOR UPDATE SKIP LOCKED)
  RETURNING id),
requeued AS (
  UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = $1
  WHERE id IN (
    SELECT id FROM jobs WHERE state = 'running' AND lease_until <= $1
      AND (max_attempts IS NULL OR attempts < max_attempts)
    FOR UPDATE SKIP LOCKED)
  RETURNING id)
SELECT (SELECT count(*) FROM buried) AS buried, (SELECT count(*) FROM requeued) AS requeued`;

/**
 * What makes a due job `j` claimable: not under an excluded lock-key prefix (`$2`, text[] or
 * null: a batch of that key is running) and not behind a live lease on its own lock key.
 */
const CLAIMABLE = `
    AND ($2::text[] IS NULL OR j.lock_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM unnest($2::text[]) AS e(prefix) WHERE starts_with(j.lock_key, e.prefix)))
    AND (j.lock_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM jobs h WHERE h.state = 'running' AND h.lock_key = j.lock_key AND h.lease_until > $1))`;

/** Due claimable jobs of any kind, read along (state, run_at), cut at the window `$3`. */
const ANY_KIND = `
  SELECT j.id, j.lock_key, j.run_at FROM jobs j
  WHERE j.state = 'queued' AND j.run_at <= $1${CLAIMABLE}
  ORDER BY j.run_at, j.id LIMIT $3`;

/**
 * The same for the kinds `$7` (text[]), one index range of (kind, state, run_at, id) per kind, each
 * cut at the window: due jobs of other kinds are never read.
 */
const OF_KINDS = `
  SELECT c.id, c.lock_key, c.run_at FROM unnest($7::text[]) AS k(kind)
  CROSS JOIN LATERAL (
    SELECT j.id, j.lock_key, j.run_at FROM jobs j
    WHERE j.kind = k.kind AND j.state = 'queued' AND j.run_at <= $1${CLAIMABLE}
    ORDER BY j.run_at, j.id LIMIT $3) AS c
  ORDER BY c.run_at, c.id LIMIT $3`;

/**
 * The claim: candidates earliest first; the first per lock key (a batch never holds a key twice),
 * up to the limit `$4`; those still queued are locked (SKIP LOCKED: never waits on a row another
 * transaction holds) and leased to instance `$6` until now + `$5`. `id = ANY(ARRAY(…))` keeps
 * both lookups on the primary key whatever the planner guesses of the CTEs' sizes.
 */
function claimSql(candidates: string): string {
  return `
WITH candidates AS (${candidates}),
firsts AS (
  SELECT id FROM (
    SELECT id, lock_key, run_at, row_number() OVER (PARTITION BY lock_key ORDER BY run_at, id) AS nth
    FROM candidates) AS c
  WHERE lock_key IS NULL OR nth = 1
  ORDER BY run_at, id LIMIT $4),
locked AS (
  SELECT id FROM jobs WHERE id = ANY(ARRAY(SELECT id FROM firsts)) AND state = 'queued'
  FOR UPDATE SKIP LOCKED)
UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1 + $5::bigint, leased_by = $6, updated_at = $1
WHERE id = ANY(ARRAY(SELECT id FROM locked))
RETURNING *`;
}

export const CLAIM_ANY_SQL = claimSql(ANY_KIND);
export const CLAIM_KINDS_SQL = claimSql(OF_KINDS);

/** `$1` now, `$2` ids, `$3` instance. */
export const COMPLETE_ALL_SQL = `
UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = $1
WHERE id = ANY($2::bigint[]) AND state = 'running' AND leased_by = $3`;

/** `$1` now, `$2` id, `$3` instance, `$4` error, `$5` retryAt or null. */
export const FAIL_SQL = `
UPDATE jobs SET
  state = CASE WHEN $5::bigint IS NULL OR (max_attempts IS NOT NULL AND attempts >= max_attempts)
               THEN 'dead' ELSE 'queued' END,
  run_at = COALESCE($5::bigint, run_at), last_error = $4, lease_until = NULL, updated_at = $1
WHERE id = $2 AND state = 'running' AND leased_by = $3
RETURNING state`;

/** `$1` ids, `$2` lease end, `$3` instance. */
export const RENEW_SQL = `
UPDATE jobs SET lease_until = $2 WHERE id = ANY($1::bigint[]) AND state = 'running' AND leased_by = $3`;

/** `$1` now, `$2` ids, `$3` instance. */
export const RELEASE_SQL = `
UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = $1
WHERE id = ANY($2::bigint[]) AND state = 'running' AND leased_by = $3`;

/** `$1` now, `$2` instance. */
export const REQUEUE_MINE_SQL = `
UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = $1 WHERE state = 'running' AND leased_by = $2`;

/** Two index lookups: the earliest queued runAt, the earliest running lease end (LEAST skips NULL). */
export const NEXT_WAKE_SQL = `
SELECT LEAST(
  (SELECT min(run_at) FROM jobs WHERE state = 'queued'),
  (SELECT min(lease_until) FROM jobs WHERE state = 'running')) AS at`;

export const DEPTH_SQL = `
SELECT kind, count(*)::int AS n FROM jobs WHERE state IN ('queued', 'running') GROUP BY kind ORDER BY kind`;

export const PENDING_SQL = "SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY run_at, id";

export const PENDING_OF_KIND_SQL = "SELECT * FROM jobs WHERE kind = $1 AND state IN ('queued', 'running') ORDER BY run_at, id";

/** grant_id is generated from the payload, with a partial index over pending jobs. */
export const PENDING_OF_GRANT_SQL = `
SELECT * FROM jobs WHERE grant_id = $2 AND kind = $1 AND state IN ('queued', 'running') ORDER BY run_at, id`;

/** The same for many grants (`$2`, text[]): one index range per grant id. */
export const PENDING_OF_GRANTS_SQL = `
SELECT * FROM jobs WHERE grant_id = ANY($2::text[]) AND kind = $1 AND state IN ('queued', 'running') ORDER BY run_at, id`;

/**
 * A range on dedupe_key's unique index (byte-wise, COLLATE "C"): `$1` the prefix, `$2` the prefix
 * followed by the highest code point; starts_with makes the match exact.
 */
export const PENDING_WITH_PREFIX_SQL = `
SELECT * FROM jobs WHERE dedupe_key >= $1 AND dedupe_key < $2 AND starts_with(dedupe_key, $1)
  AND state IN ('queued', 'running')
ORDER BY run_at, id`;

export const PRUNE_SQL = "DELETE FROM jobs WHERE state IN ('done', 'dead') AND updated_at < $1";

/**
 * Migration 2: a claim and a completion in one round trip each. Called outside a transaction,
 * each is a transaction of its own (autocommit) — instead of BEGIN, SET LOCAL, the lease sweep,
 * the lock, the claim and COMMIT, six round trips each waiting for a busy server's CPU. The bodies
 * are the statements above, unchanged; `$8` (claims) and `$4` (completions) set
 * synchronous_commit off for that transaction (a lost lease or completion only re-runs an
 * idempotent job), and are false when the caller's own transaction must stay durable. Each
 * statement of a (volatile) SQL function reads a fresh snapshot, so the claim after the lock sees
 * every claim committed before it, as the separate statements did.
 *
 * Parameters: `jobs_claim_any/kinds(now, exclude, window, limit, lease_ms, instance, kinds,
 * relaxed)` (`jobs_claim_any` ignores `kinds`); `jobs_complete(now, ids, instance, relaxed)`.
 *
 * These functions live in the database: a change to the statements they are built from (EXPIRE_SQL,
 * the claims, COMPLETE_ALL_SQL, CLAIM_LOCK) reaches no database already at version 2. Such a change
 * needs a new migration that replaces the functions (CREATE OR REPLACE FUNCTION), and migration 2's
 * text must stay as it shipped.
 */
export const PG_SCHEMA_JOB_FUNCTIONS = [
  ["jobs_claim_any", CLAIM_ANY_SQL],
  ["jobs_claim_kinds", CLAIM_KINDS_SQL],
].map(([name, claim]) => `
CREATE FUNCTION ${name}(bigint, text[], integer, integer, bigint, text, text[], boolean) RETURNS SETOF jobs
LANGUAGE sql VOLATILE AS $fn$
SELECT set_config('synchronous_commit', 'off', true) WHERE $8;
${EXPIRE_SQL};
SELECT pg_advisory_xact_lock(hashtextextended('${CLAIM_LOCK}', 0));
${claim};
$fn$;`).join("\n") + `
CREATE FUNCTION jobs_complete(bigint, bigint[], text, boolean) RETURNS void
LANGUAGE sql VOLATILE AS $fn$
SELECT set_config('synchronous_commit', 'off', true) WHERE $4;
${COMPLETE_ALL_SQL.replace("$2::bigint[]", "$2")};
$fn$;
`;
