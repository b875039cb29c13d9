/**
 * Schema version 1: grants, the durable job queue, webhook deliveries, issued credentials and
 * the hash-chained, append-only audit log. Times are epoch milliseconds (INTEGER); JSON columns
 * are checked with json_valid. Tables are STRICT so a wrong type is an error, not a coercion.
 */
export const MIGRATION_001_INITIAL = `
CREATE TABLE grants (
  id                 TEXT PRIMARY KEY,
  resource           TEXT NOT NULL,
  subject            TEXT NOT NULL,
  requester          TEXT NOT NULL,
  requester_slack_id TEXT,
  duration_ms        INTEGER NOT NULL CHECK (duration_ms > 0),
  reason             TEXT NOT NULL,
  requested_at       INTEGER NOT NULL,
  extends            TEXT,
  state              TEXT NOT NULL CHECK (state IN ('requested', 'pr_open', 'approved', 'active', 'expired',
                                                    'released', 'revoked', 'declined', 'rejected', 'cancelled')),
  file_content       TEXT NOT NULL,
  file_path          TEXT NOT NULL,
  branch             TEXT NOT NULL,
  pr_number          INTEGER UNIQUE,
  pr_url             TEXT,
  head_sha           TEXT,
  merge_sha          TEXT,
  approved_by        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(approved_by) AND json_type(approved_by) = 'array'),
  approved_at        INTEGER,
  activated_at       INTEGER,
  expires_at         INTEGER,
  ended_at           INTEGER,
  end_reason         TEXT,
  access             TEXT CHECK (access IS NULL OR (json_valid(access) AND json_type(access) = 'object')),
  credential_message TEXT CHECK (credential_message IS NULL OR json_valid(credential_message)),
  updated_at         INTEGER NOT NULL,
  CHECK (state <> 'active' OR expires_at IS NOT NULL)
) STRICT;
CREATE INDEX grants_state_requested ON grants (state, requested_at);
CREATE INDEX grants_active_expiry ON grants (expires_at) WHERE state = 'active';
CREATE INDEX grants_subject_state ON grants (subject, state);

CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL,
  payload      TEXT NOT NULL CHECK (json_valid(payload) AND json_type(payload) = 'object'),
  run_at       INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts > 0),
  last_error   TEXT,
  state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
  dedupe_key   TEXT UNIQUE,
  lock_key     TEXT,
  lease_until  INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  CHECK (state <> 'running' OR lease_until IS NOT NULL)
) STRICT;
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_running_lock ON jobs (lock_key, lease_until) WHERE state = 'running' AND lock_key IS NOT NULL;

CREATE TABLE deliveries (
  source      TEXT NOT NULL,
  id          TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (source, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX deliveries_received_at ON deliveries (received_at);

CREATE TABLE credentials (
  jti        TEXT PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants (id),
  subject    TEXT NOT NULL,
  audience   TEXT NOT NULL,
  scope      TEXT NOT NULL,
  kid        TEXT NOT NULL,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX credentials_grant ON credentials (grant_id);

-- Hash-chained audit log. Rows are only ever appended (triggers below); audit_head holds the
-- last seq and hash, written in the same transaction as each append, so deleting the newest
-- rows is detected too (the chain alone cannot tell a truncated log from a short one).
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  grant_id  TEXT,
  data      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_grant ON audit_log (grant_id) WHERE grant_id IS NOT NULL;

CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${"0".repeat(64)}');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END;
-- An appended row must extend the chain exactly where audit_head says it ends.
CREATE TRIGGER audit_log_append_only_at_head BEFORE INSERT ON audit_log
WHEN NEW.seq <> (SELECT seq FROM audit_head WHERE id = 1) + 1
  OR NEW.prev_hash <> (SELECT hash FROM audit_head WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit_log rows must extend the chain at audit_head'); END;
-- audit_head only moves forward, one row at a time, onto a row that exists.
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
  OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)
BEGIN SELECT RAISE(ABORT, 'audit_head can only advance to the newest audit_log row'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END;
`;
