/**
 * The `jobs` table on PostgreSQL: the final SQLite shape (migrations 001, 005, 006 and 008) with
 * PostgreSQL types — payload JSONB, times BIGINT epoch milliseconds — plus `leased_by`, the id of
 * the instance holding a running job's lease (several instances share one queue: renew, complete
 * and fail only touch rows this instance still holds).
 *
 * `dedupe_key` and `lock_key` compare byte-wise (COLLATE "C", as SQLite's BINARY): listing pending
 * jobs by a key prefix is a range on the unique index whatever the database's default collation.
 *
 * `grant_id` mirrors SQLite's `json_extract(payload, '$.grantId')`: the payload's top-level
 * `grantId` as text (NULL when absent or JSON null).
 */
export const PG_SCHEMA_JOBS = `
CREATE TABLE jobs (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         TEXT NOT NULL,
  payload      JSONB NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  run_at       BIGINT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts > 0),
  last_error   TEXT,
  state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
  dedupe_key   TEXT COLLATE "C" UNIQUE,
  lock_key     TEXT COLLATE "C",
  lease_until  BIGINT,
  leased_by    TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  grant_id     TEXT GENERATED ALWAYS AS (payload->>'grantId') STORED,
  CHECK (state <> 'running' OR lease_until IS NOT NULL)
);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_running_lock ON jobs (lock_key, lease_until) WHERE state = 'running' AND lock_key IS NOT NULL;
CREATE INDEX jobs_kind_state_run_at ON jobs (kind, state, run_at, id);
CREATE INDEX jobs_running_lease ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_pending_by_grant ON jobs (grant_id, kind) WHERE state IN ('queued', 'running');
`;
