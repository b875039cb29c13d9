/**
 * Schema version 10 (issue 15): access reviews of standing members and use of grants.
 * - `access_reviews`: each review PR (and each PR removing standing members grantbot already
 *   removed), its members as listed, its state and outcome. A partial unique index makes "never two
 *   open review PRs for one resource" a property of the database, not of a check-then-insert.
 * - `standing_seen`: when grantbot first saw each standing member (the "standing since" evidence).
 * - `standing_missed`: each missed review deadline, handled once (removal or escalation).
 * - `grant_usage`: first use, last use and number of uses of each grant's credential, written in
 *   batches from memory (adapters/sqlite/sqlite-usage-log.ts).
 */
export const MIGRATION_010_ACCESS_REVIEWS = `
CREATE TABLE access_reviews (
  id          TEXT PRIMARY KEY,
  resource    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('review', 'removal')),
  cause       TEXT NOT NULL CHECK (cause IN ('due', 'missed', 'leaver')),
  state       TEXT NOT NULL CHECK (state IN ('opening', 'open', 'certified', 'rejected', 'merged', 'closed')),
  branch      TEXT NOT NULL UNIQUE,
  members     TEXT NOT NULL CHECK (json_valid(members) AND json_type(members) = 'array'),
  pr_number   INTEGER,
  pr_url      TEXT,
  opened_at   INTEGER NOT NULL,
  closed_at   INTEGER,
  outcome     TEXT CHECK (outcome IS NULL OR json_valid(outcome)),
  reminded_at INTEGER,
  base_sha    TEXT
) STRICT;
CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews (resource) WHERE kind = 'review' AND state IN ('opening', 'open');
CREATE INDEX access_reviews_state ON access_reviews (state, opened_at);
CREATE INDEX access_reviews_pr ON access_reviews (pr_number) WHERE pr_number IS NOT NULL;

CREATE TABLE standing_seen (
  resource   TEXT NOT NULL,
  email      TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (resource, email)
) STRICT;

CREATE TABLE standing_missed (
  resource  TEXT NOT NULL,
  email     TEXT NOT NULL,
  deadline  TEXT NOT NULL,
  on_missed TEXT NOT NULL CHECK (on_missed IN ('revoke', 'keep')),
  at        INTEGER NOT NULL,
  PRIMARY KEY (resource, email, deadline)
) STRICT;

CREATE TABLE grant_usage (
  grant_id  TEXT PRIMARY KEY,
  first_use INTEGER NOT NULL,
  last_use  INTEGER NOT NULL,
  uses      INTEGER NOT NULL CHECK (uses > 0)
) STRICT;
`;
