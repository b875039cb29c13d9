/**
 * Wake-ups across instances: a job enqueued through one pool reaches a PgJobListener on its own
 * connection (at commit, not before, not at all after a rollback), and the listener survives its
 * backend being killed.
 */
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { PgJobListener } from "../../src/adapters/postgres/pg-job-listener.ts";
import { PgJobQueue } from "../../src/adapters/postgres/pg-job-queue.ts";
import { createJobQueueSchema } from "../support/pg-job-queue-schema.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(5)) {
    if (Date.now() - start > ms) throw new Error("condition not met in time");
  }
}

describeWithPostgres("PgJobListener", () => {
  let url: string;
  let db: PgDatabase;
  let queue: PgJobQueue;
  let listener: PgJobListener;
  let heard: number[];
  let reconnects: number;
  const clock = { now: () => 5_000_000 };

  beforeAll(async () => {
    url = await freshDatabaseUrl("jobs_listen");
    const setup = new PgDatabase(url, { max: 1 });
    await createJobQueueSchema(setup);
    await setup.close();
  });
  beforeEach(async () => {
    db = new PgDatabase(url, { max: 2, applicationName: "grantbot:enqueuer" });
    queue = new PgJobQueue(db, clock, { instanceId: "a" });
    heard = [];
    reconnects = 0;
    listener = new PgJobListener({
      url,
      applicationName: "grantbot:test-listener",
      onJob: (runAt) => heard.push(runAt),
      onReconnect: () => (reconnects += 1),
      backoff: { minMs: 20, maxMs: 200 },
    });
    expect(await listener.start()).toBe(true);
  });
  afterEach(async () => {
    await listener.close();
    await db.close();
  });

  it("hears the runAt of a job enqueued on another connection", async () => {
    await queue.enqueue({ kind: "k", payload: {}, runAt: 5_000_123 });
    await until(() => heard.length === 1);
    expect(heard).toEqual([5_000_123]);
  });

  it("hears a job enqueued in a transaction when it commits, and nothing of a rolled-back or deduplicated one", async () => {
    await db.transaction(async () => {
      await queue.enqueue({ kind: "k", payload: {}, runAt: 7, dedupeKey: "once" });
      await sleep(100);
      expect(heard).toEqual([]); // not before the commit
    });
    await until(() => heard.length === 1);
    await queue.enqueue({ kind: "k", payload: {}, runAt: 8, dedupeKey: "once" });
    await db.transaction(async () => {
      await queue.enqueue({ kind: "k", payload: {}, runAt: 9 });
      throw new Error("abort");
    }).catch(() => undefined);
    await queue.enqueue({ kind: "k", payload: {}, runAt: 10 });
    await until(() => heard.length === 2);
    expect(heard).toEqual([7, 10]);
  });

  it("sends no notification from a queue created with notify: false", async () => {
    const quiet = new PgJobQueue(db, clock, { instanceId: "q", notify: false });
    await quiet.enqueue({ kind: "k", payload: {}, runAt: 1 });
    await queue.enqueue({ kind: "k", payload: {}, runAt: 2 });
    await until(() => heard.length === 1);
    expect(heard).toEqual([2]);
  });

  it("hears one notification per batch, with its earliest inserted runAt, and none for a batch that inserted nothing", async () => {
    const batch = [30, 10, 20].map((runAt) => ({ kind: "k", payload: {}, runAt, dedupeKey: `batch-${runAt}` }));
    expect(await queue.enqueueMany([{ kind: "k", payload: {}, runAt: 5, dedupeKey: "batch-10" }, ...batch])).toBe(3);
    expect(await queue.enqueueMany(batch)).toBe(0);
    const quiet = new PgJobQueue(db, clock, { instanceId: "q", notify: false });
    expect(await quiet.enqueueMany([{ kind: "k", payload: {}, runAt: 1 }])).toBe(1);
    await queue.enqueue({ kind: "k", payload: {}, runAt: 99 }); // the last notification: all before it arrived
    await until(() => heard.includes(99));
    expect(heard).toEqual([5, 99]);
  });

  it("reconnects after its backend is terminated, tells the runner to re-read, and keeps delivering", async () => {
    const { rows } = await db.query<{ ok: boolean }>(
      "SELECT pg_terminate_backend(pid, 5000) AS ok FROM pg_stat_activity WHERE application_name = 'grantbot:test-listener'",
    );
    expect(rows).toEqual([{ ok: true }]);
    await until(() => reconnects === 1);
    expect(listener.listening).toBe(true);
    await queue.enqueue({ kind: "k", payload: {}, runAt: 42 });
    await until(() => heard.includes(42));
    // A second kill: still back.
    await db.query("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'grantbot:test-listener'");
    await until(() => reconnects === 2);
    await queue.enqueue({ kind: "k", payload: {}, runAt: 43 });
    await until(() => heard.includes(43));
  });

  it("stops listening when closed", async () => {
    await listener.close();
    expect(listener.listening).toBe(false);
    await queue.enqueue({ kind: "k", payload: {}, runAt: 1 });
    await sleep(100);
    expect(heard).toEqual([]);
    const { rows } = await db.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'grantbot:test-listener'");
    expect(rows).toEqual([]);
  });
});
