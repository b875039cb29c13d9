/**
 * The core tables on PostgreSQL: `grants`, `deliveries`, `credentials` and the hash-chained
 * `audit_log` with its `audit_head` — the final SQLite shape (migrations 001, 003 and 007) with
 * PostgreSQL types: times are BIGINT epoch milliseconds, JSON columns are JSONB (typed by CHECKs
 * as SQLite's json_type checks do). Part of PostgreSQL migration 1, before the other schema parts
 * (break-glass grants reference `grants`).
 *
 * The audit log's guards are the SQLite triggers rewritten as PL/pgSQL, with the same messages:
 * rows cannot be updated or deleted (nor truncated, which SQLite has no statement for), a row
 * must extend the chain exactly where `audit_head` says it ends, and `audit_head` only advances
 * one row at a time onto a row that exists. Concurrent appenders are serialized by the appender
 * (an advisory lock, pg-audit-log.ts); these triggers make a wrong append an error regardless.
 */
const GENESIS = "0".repeat(64);

export const PG_SCHEMA_CORE = `
CREATE TABLE grants (
  id                 TEXT PRIMARY KEY,
  resource           TEXT NOT NULL,
  subject            TEXT NOT NULL,
  requester          TEXT NOT NULL,
  requester_slack_id TEXT,
  duration_ms        BIGINT NOT NULL CHECK (duration_ms > 0),
  reason             TEXT NOT NULL,
  requested_at       BIGINT NOT NULL,
  extends            TEXT,
  state              TEXT NOT NULL CHECK (state IN ('requested', 'pr_open', 'approved', 'active', 'expired',
                                                    'released', 'revoked', 'declined', 'rejected', 'cancelled')),
  file_content       TEXT NOT NULL,
  file_path          TEXT NOT NULL,
  branch             TEXT NOT NULL,
  pr_number          BIGINT UNIQUE,
  pr_url             TEXT,
  head_sha           TEXT,
  merge_sha          TEXT,
  approved_by        JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(approved_by) = 'array'),
  approved_at        BIGINT,
  activated_at       BIGINT,
  expires_at         BIGINT,
  ended_at           BIGINT,
  end_reason         TEXT,
  access             JSONB CHECK (access IS NULL OR jsonb_typeof(access) = 'object'),
  credential_message JSONB,
  updated_at         BIGINT NOT NULL,
  owner              TEXT,
  policy_sha         TEXT,
  CHECK (state <> 'active' OR expires_at IS NOT NULL)
);
CREATE INDEX grants_state_requested ON grants (state, requested_at);
CREATE INDEX grants_active_expiry ON grants (expires_at) WHERE state = 'active';
CREATE INDEX grants_subject_state ON grants (subject, state);
CREATE INDEX grants_owner ON grants (owner) WHERE owner IS NOT NULL;

CREATE TABLE deliveries (
  source      TEXT NOT NULL,
  id          TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (source, id)
);
CREATE INDEX deliveries_received_at ON deliveries (received_at);

CREATE TABLE credentials (
  jti        TEXT PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants (id),
  subject    TEXT NOT NULL,
  audience   TEXT NOT NULL,
  scope      TEXT NOT NULL,
  kid        TEXT NOT NULL,
  issued_at  BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX credentials_grant ON credentials (grant_id);

CREATE TABLE audit_log (
  seq       BIGINT PRIMARY KEY,
  at        BIGINT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  grant_id  TEXT,
  data      JSONB NOT NULL DEFAULT '{}',
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX audit_log_grant ON audit_log (grant_id) WHERE grant_id IS NOT NULL;

CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS}');

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit_log is append-only: rows cannot be updated';
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: rows cannot be deleted';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- An appended row must extend the chain exactly where audit_head says it ends.
CREATE FUNCTION audit_log_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_head WHERE id = 1;
  IF NOT FOUND OR NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.hash THEN
    RAISE EXCEPTION 'audit_log rows must extend the chain at audit_head';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_append_only_at_head BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_check_append();

-- audit_head only moves forward, one row at a time, onto a row that exists.
CREATE FUNCTION audit_head_check_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
    RAISE EXCEPTION 'audit_head cannot be deleted';
  END IF;
  IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
     OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
    RAISE EXCEPTION 'audit_head can only advance to the newest audit_log row';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_check_advance();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_check_advance();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_head_check_advance();

-- Appends rows (a JSON array, in chain order, hashed by grantbot) one at a time, each followed by
-- the move of audit_head onto it: the triggers above check every row. One round trip for a
-- transaction's audit rows (pg-audit-log.ts).
CREATE FUNCTION audit_append(rows_in jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
BEGIN
  FOR r IN SELECT value FROM jsonb_array_elements(rows_in) LOOP
    INSERT INTO audit_log (seq, at, actor, action, grant_id, data, prev_hash, hash)
    VALUES ((r->>'seq')::bigint, (r->>'at')::bigint, r->>'actor', r->>'action', r->>'grant_id', r->'data', r->>'prev_hash', r->>'hash');
    UPDATE audit_head SET seq = (r->>'seq')::bigint, hash = r->>'hash' WHERE id = 1;
  END LOOP;
END $$;
`;
