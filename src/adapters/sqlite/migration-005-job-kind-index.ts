/**
 * Schema version 5: claims read the queue per job kind. When a thousand grants end together the
 * queue holds thousands of due notification jobs next to the revocations; an index led by `kind`
 * lets the runner find the due revocations (and the due notifications) without reading past the
 * others, so a claim costs the same with 10 or 10,000 jobs of other kinds waiting.
 */
export const MIGRATION_005_JOB_KIND_INDEX = `
CREATE INDEX jobs_kind_state_run_at ON jobs (kind, state, run_at, id);
`;
