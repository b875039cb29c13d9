/**
 * The PostgreSQL tables behind the directory snapshot, offboarding cases, the Slack cards and
 * Home tab users, break-glass grants, access reviews and grant usage: the final SQLite shape
 * (migrations 002, 003, 004, 009 and 010) with PostgreSQL types. Part of PostgreSQL migration 1,
 * after the core tables (`breakglass_grants` references `grants`).
 *
 * Differences from SQLite, each kept to the same observable behaviour:
 * - Times are epoch milliseconds in BIGINT; JSON columns are JSONB (array/object checks kept,
 *   `breakglass_grants.channels`/`approvers` checked as arrays too); `active` is BOOLEAN.
 * - Text columns the stores ORDER BY use COLLATE "C": byte order, as SQLite's BINARY collation,
 *   whatever the database's locale (a glibc/ICU locale may order case and punctuation otherwise).
 *   `breakglass_grants.grant_id` keeps the collation of `grants.id` it references; the query
 *   that orders by it says COLLATE "C" itself.
 * - `slack_cards.seq` stands in for SQLite's implicit rowid: card copies are listed in posting
 *   order (`posted_at`, then insertion order).
 * - Ids from SQLite's AUTOINCREMENT are identity columns (increasing, never reused).
 */
export const PG_SCHEMA_PEOPLE = `
CREATE TABLE directory_people (
  email           TEXT COLLATE "C" PRIMARY KEY,    -- lower-cased
  scim_id         TEXT,                            -- id in the source directory
  active          BOOLEAN NOT NULL,
  manager_email   TEXT,                            -- enterprise extension "manager", lower-cased
  manager_scim_id TEXT,
  display_name    TEXT,
  groups          JSONB CHECK (groups IS NULL OR jsonb_typeof(groups) = 'array'),
  attributes      JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
  seen_at         BIGINT NOT NULL,                 -- last time the directory returned this person
  removed_at      BIGINT,                          -- when the directory stopped returning them
  last_poll       BIGINT                           -- the last poll that saw this record
);
CREATE INDEX directory_people_scim_id ON directory_people (scim_id) WHERE scim_id IS NOT NULL;
CREATE INDEX directory_people_manager ON directory_people (manager_email) WHERE manager_email IS NOT NULL;
CREATE INDEX directory_people_last_poll ON directory_people (last_poll) WHERE removed_at IS NULL;

CREATE TABLE directory_polls (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at  BIGINT NOT NULL,
  finished_at BIGINT,
  pages       INTEGER,
  people      INTEGER,
  changes     INTEGER
);

CREATE TABLE offboarding_cases (
  id                TEXT COLLATE "C" PRIMARY KEY,
  email             TEXT NOT NULL,
  source            TEXT NOT NULL,
  cause             TEXT NOT NULL CHECK (cause IN ('deactivated', 'deleted', 'pushed')),
  started_at        BIGINT NOT NULL,
  revoked           JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(revoked) = 'array'),
  cancelled         JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(cancelled) = 'array'),
  orphans           JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(orphans) = 'array'),
  pending_notice_at BIGINT,
  completed_at      BIGINT
);
-- At most one open case per person: a leaver reported by the poll and a push at once is one case.
CREATE UNIQUE INDEX offboarding_cases_open ON offboarding_cases (email) WHERE completed_at IS NULL;
CREATE INDEX offboarding_cases_started ON offboarding_cases (started_at, id);

CREATE TABLE slack_cards (
  grant_id  TEXT NOT NULL,
  channel   TEXT NOT NULL,                         -- C…/G… channel, or the D… DM of an approver
  ts        TEXT NOT NULL,                         -- message timestamp (chat.update needs channel + ts)
  audience  TEXT NOT NULL CHECK (audience IN ('channel', 'approver')),
  recipient TEXT,                                  -- the approver's email for 'approver' copies
  posted_at BIGINT NOT NULL,
  seq       BIGINT GENERATED ALWAYS AS IDENTITY,   -- insertion order (SQLite's rowid)
  PRIMARY KEY (grant_id, channel)
);

CREATE TABLE review_snapshots (
  grant_id             TEXT PRIMARY KEY,
  approved_by          JSONB NOT NULL CHECK (jsonb_typeof(approved_by) = 'array'),
  changes_requested_by JSONB NOT NULL CHECK (jsonb_typeof(changes_requested_by) = 'array'),
  required             INTEGER NOT NULL CHECK (required >= 0),
  checked_at           BIGINT NOT NULL
);

CREATE TABLE slack_home_users (
  email     TEXT PRIMARY KEY,                      -- lower-cased
  user_id   TEXT NOT NULL,                         -- Slack user id (U…/W…)
  opened_at BIGINT NOT NULL
);

CREATE TABLE breakglass_grants (
  grant_id         TEXT PRIMARY KEY REFERENCES grants (id),   -- same collation as grants.id (pending() sorts it COLLATE "C")
  resource         TEXT NOT NULL,
  subject          TEXT NOT NULL,
  review_within_ms BIGINT NOT NULL,
  channels         JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(channels) = 'array'),
  created_at       BIGINT NOT NULL,
  activated_at     BIGINT,
  review_deadline  BIGINT,
  announced_at     BIGINT,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reviewed', 'unreviewed_merge', 'rejected')),
  reviewed_at      BIGINT,
  approvers        JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(approvers) = 'array'),
  escalations      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX breakglass_by_person ON breakglass_grants (subject, resource);
CREATE INDEX breakglass_pending ON breakglass_grants (created_at) WHERE status = 'pending';

CREATE TABLE access_reviews (
  id          TEXT COLLATE "C" PRIMARY KEY,
  resource    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('review', 'removal')),
  cause       TEXT NOT NULL CHECK (cause IN ('due', 'missed', 'leaver')),
  state       TEXT NOT NULL CHECK (state IN ('opening', 'open', 'certified', 'rejected', 'merged', 'closed')),
  branch      TEXT NOT NULL UNIQUE,
  members     JSONB NOT NULL CHECK (jsonb_typeof(members) = 'array'),
  pr_number   BIGINT,
  pr_url      TEXT,
  opened_at   BIGINT NOT NULL,
  closed_at   BIGINT,
  outcome     JSONB,
  reminded_at BIGINT,
  base_sha    TEXT
);
-- Never two open review PRs for one resource, whatever the timing of two instances.
CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews (resource) WHERE kind = 'review' AND state IN ('opening', 'open');
CREATE INDEX access_reviews_state ON access_reviews (state, opened_at);
CREATE INDEX access_reviews_pr ON access_reviews (pr_number) WHERE pr_number IS NOT NULL;

CREATE TABLE standing_seen (
  resource   TEXT NOT NULL,
  email      TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (resource, email)
);

CREATE TABLE standing_missed (
  resource  TEXT COLLATE "C" NOT NULL,
  email     TEXT COLLATE "C" NOT NULL,
  deadline  TEXT NOT NULL,
  on_missed TEXT NOT NULL CHECK (on_missed IN ('revoke', 'keep')),
  at        BIGINT NOT NULL,
  PRIMARY KEY (resource, email, deadline)
);

-- Written by every instance's flush: counts are added, never overwritten (pg-usage-log.ts).
CREATE TABLE grant_usage (
  grant_id  TEXT PRIMARY KEY,
  first_use BIGINT NOT NULL,
  last_use  BIGINT NOT NULL,
  uses      BIGINT NOT NULL CHECK (uses > 0)
);
`;
