/**
 * Schema version 6: every claim first re-queues jobs whose lease ran out (their worker died). With
 * hundreds of jobs running — a batch of a thousand simultaneous expiries and their removals — that
 * check read every running job on every claim; this partial index makes it read only the expired
 * leases (normally none).
 */
export const MIGRATION_006_JOB_LEASE_INDEX = `
CREATE INDEX jobs_running_lease ON jobs (lease_until) WHERE state = 'running';
`;
