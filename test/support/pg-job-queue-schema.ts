/**
 * The job queue's tables and functions as PostgreSQL migrations 1 and 2 create them, for tests and
 * benchmarks that run PgJobQueue on a bare database (no other store).
 */
import { PG_SCHEMA_JOB_FUNCTIONS } from "../../src/adapters/postgres/pg-job-queue-sql.ts";
import { PG_SCHEMA_JOBS } from "../../src/adapters/postgres/schema-jobs.ts";

export async function createJobQueueSchema(db: { query(sql: string): Promise<unknown> }): Promise<void> {
  await db.query(PG_SCHEMA_JOBS);
  await db.query(PG_SCHEMA_JOB_FUNCTIONS);
}
