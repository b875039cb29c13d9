/**
 * Schema version 8: "which jobs of this kind are still pending for this grant?" (a grant's last
 * removal, an offboarding report) asked by name rather than by a prefix of dedupe keys. The grant
 * id is a generated column read from the payload, indexed over pending jobs only.
 */
export const MIGRATION_008_JOB_GRANT_INDEX = `
ALTER TABLE jobs ADD COLUMN grant_id TEXT GENERATED ALWAYS AS (json_extract(payload, '$.grantId')) VIRTUAL;
CREATE INDEX jobs_pending_by_grant ON jobs (grant_id, kind) WHERE state IN ('queued', 'running');
`;
