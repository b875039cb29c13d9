/**
 * Schema version 9: break-glass grants (services/breakglass). One row per emergency grant, next
 * to its row in `grants`: the review rules snapshot at request time, the review deadline set at
 * activation, whether the activation was announced, and the review's outcome. "Has this person an
 * overdue, unreviewed break-glass grant on this resource?" is asked on every break-glass request.
 */
export const MIGRATION_009_BREAKGLASS = `
CREATE TABLE breakglass_grants (
  grant_id         TEXT PRIMARY KEY REFERENCES grants (id),
  resource         TEXT NOT NULL,
  subject          TEXT NOT NULL,
  review_within_ms INTEGER NOT NULL,
  channels         TEXT NOT NULL DEFAULT '[]',
  created_at       INTEGER NOT NULL,
  activated_at     INTEGER,
  review_deadline  INTEGER,
  announced_at     INTEGER,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reviewed', 'unreviewed_merge', 'rejected')),
  reviewed_at      INTEGER,
  approvers        TEXT NOT NULL DEFAULT '[]',
  escalations      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX breakglass_by_person ON breakglass_grants (subject, resource);
CREATE INDEX breakglass_pending ON breakglass_grants (created_at) WHERE status = 'pending';
`;
