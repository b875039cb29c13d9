/**
 * Schema version 3 (leavers, movers and drift): the grant's service-identity `owner`, what the
 * directory poll needs to tell a deleted person from an unchanged one (which poll last saw each
 * record), the manager's directory id and groups, and offboarding cases (one per leaver; the
 * confirmation is sent when every removal of the case is verified).
 */
export const MIGRATION_003_LEAVERS = `
ALTER TABLE grants ADD COLUMN owner TEXT;
CREATE INDEX grants_owner ON grants (owner) WHERE owner IS NOT NULL;

ALTER TABLE directory_people ADD COLUMN manager_scim_id TEXT;
ALTER TABLE directory_people ADD COLUMN groups TEXT CHECK (groups IS NULL OR (json_valid(groups) AND json_type(groups) = 'array'));
ALTER TABLE directory_people ADD COLUMN last_poll INTEGER;
CREATE INDEX directory_people_last_poll ON directory_people (last_poll) WHERE removed_at IS NULL;

CREATE TABLE directory_polls (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  pages       INTEGER,
  people      INTEGER,
  changes     INTEGER
) STRICT;

CREATE TABLE offboarding_cases (
  id                TEXT PRIMARY KEY,
  email             TEXT NOT NULL,
  source            TEXT NOT NULL,
  cause             TEXT NOT NULL CHECK (cause IN ('deactivated', 'deleted', 'pushed')),
  started_at        INTEGER NOT NULL,
  revoked           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(revoked) AND json_type(revoked) = 'array'),
  cancelled         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cancelled) AND json_type(cancelled) = 'array'),
  orphans           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(orphans) AND json_type(orphans) = 'array'),
  pending_notice_at INTEGER,
  completed_at      INTEGER
) STRICT;
CREATE UNIQUE INDEX offboarding_cases_open ON offboarding_cases (email) WHERE completed_at IS NULL;
CREATE INDEX offboarding_cases_started ON offboarding_cases (started_at);
`;
