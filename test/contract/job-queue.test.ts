/**
 * The JobQueue contract on both back ends: SqliteJobQueue (behind the async store wrapper the
 * SQLite back end uses) and PgJobQueue on a real PostgreSQL server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { PgJobQueue } from "../../src/adapters/postgres/pg-job-queue.ts";
import { createJobQueueSchema } from "../support/pg-job-queue-schema.ts";
import { asyncStore, SqliteAsyncTransactor } from "../../src/adapters/sqlite/async-sqlite.ts";
import { openDatabase, type Db } from "../../src/adapters/sqlite/database.ts";
import { SqliteJobQueue } from "../../src/adapters/sqlite/sqlite-job-queue.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { fakeClock, jobQueueContract, type AsyncJobQueue, type JobQueueHarness } from "./job-queue.contract.ts";

jobQueueContract("SqliteJobQueue", async (): Promise<JobQueueHarness> => {
  const dir = mkdtempSync(join(tmpdir(), "grantbot-jobs-contract-"));
  const path = join(dir, "grantbot.db");
  const clock = fakeClock();
  const dbs: Db[] = [];
  const open = () => {
    const db = openDatabase(path);
    dbs.push(db);
    const tx = new SqliteAsyncTransactor(db);
    return { tx, queue: asyncStore<SqliteJobQueue>(new SqliteJobQueue(db, clock), tx) satisfies AsyncJobQueue };
  };
  const first = open();
  return {
    queue: first.queue,
    clock,
    another: async () => open().queue,
    transaction: (fn) => first.tx.transaction(fn),
    close: async () => {
      for (const db of dbs) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeWithPostgres("PgJobQueue", () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabaseUrl("jobs_contract");
    const db = new PgDatabase(url, { max: 1 });
    await createJobQueueSchema(db);
    await db.close();
  });
  const opened: PgDatabase[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  jobQueueContract("PgJobQueue", async (): Promise<JobQueueHarness> => {
    const clock = fakeClock();
    const db = new PgDatabase(url, { max: 4 });
    await db.query("TRUNCATE jobs RESTART IDENTITY");
    const dbs = [db];
    let instances = 0;
    const open = (on: PgDatabase) => new PgJobQueue(on, clock, { instanceId: `instance-${++instances}` });
    return {
      queue: open(db),
      clock,
      another: async () => {
        const other = new PgDatabase(url, { max: 4 });
        dbs.push(other);
        return open(other);
      },
      transaction: (fn) => db.transaction(fn),
      close: async () => {
        await Promise.all(dbs.map((d) => d.close()));
      },
    };
  });
});
