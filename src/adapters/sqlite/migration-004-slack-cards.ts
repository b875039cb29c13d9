/**
 * Schema version 4: the Slack experience (issue 5). Where each request card was posted (so every
 * later state change rewrites the same messages, across restarts), the approvals so far of each
 * pending request, and who opened grantbot's Home tab (their tab is refreshed on changes).
 */
export const MIGRATION_004_SLACK_CARDS = `
CREATE TABLE slack_cards (
  grant_id   TEXT NOT NULL,
  channel    TEXT NOT NULL,                    -- C…/G… channel, or the D… DM of an approver
  ts         TEXT NOT NULL,                    -- message timestamp (chat.update needs channel + ts)
  audience   TEXT NOT NULL CHECK (audience IN ('channel', 'approver')),
  recipient  TEXT,                             -- the approver's email for 'approver' copies
  posted_at  INTEGER NOT NULL,
  PRIMARY KEY (grant_id, channel)
) STRICT;

CREATE TABLE review_snapshots (
  grant_id             TEXT PRIMARY KEY,
  approved_by          TEXT NOT NULL CHECK (json_valid(approved_by) AND json_type(approved_by) = 'array'),
  changes_requested_by TEXT NOT NULL CHECK (json_valid(changes_requested_by) AND json_type(changes_requested_by) = 'array'),
  required             INTEGER NOT NULL CHECK (required >= 0),
  checked_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE slack_home_users (
  email     TEXT PRIMARY KEY,                  -- lower-cased
  user_id   TEXT NOT NULL,                     -- Slack user id (U…/W…)
  opened_at INTEGER NOT NULL
) STRICT;
`;
