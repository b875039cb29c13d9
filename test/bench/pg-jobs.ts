/**
 * PostgreSQL job queue figures (issue 13): claim throughput of three instances on 1,000 due jobs,
 * and NOTIFY delivery latency from an enqueue on one pool to a PgJobListener on its own connection.
 *
 *   node --import tsx test/bench/pg-jobs.ts                  starts a throwaway server (Debian binaries)
 *   GRANTBOT_BENCH_PG_URL=postgres://… node --import tsx test/bench/pg-jobs.ts   uses that server
 *
 * Prints figures; asserts nothing.
 */
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { PgJobListener } from "../../src/adapters/postgres/pg-job-listener.ts";
import { PgJobQueue } from "../../src/adapters/postgres/pg-job-queue.ts";
import { createJobQueueSchema } from "../support/pg-job-queue-schema.ts";
import { createDatabaseOn, startPostgresServer } from "../support/postgres-server.ts";
import { fmt, summarize } from "./stats.ts";

const JOBS = 1_000;
const INSTANCES = 3;
const LEASE = 120_000;

async function freshDb(serverUrl: string): Promise<string> {
  const url = await createDatabaseOn(serverUrl, "bench_jobs");
  const db = new PgDatabase(url, { max: 1 });
  await createJobQueueSchema(db);
  await db.close();
  return url;
}

async function seed(db: PgDatabase, queue: PgJobQueue, now: number, lockKeys: number): Promise<void> {
  await db.transaction(async () => {
    for (let i = 0; i < JOBS; i++) {
      await queue.enqueue({ kind: i % 2 ? "scim.remove" : "notify", payload: { grantId: `g${i}` }, runAt: now - 1, lockKey: lockKeys ? `k${i % lockKeys}` : undefined });
    }
  });
}

/** Three instances claim (and complete) every due job; returns jobs/s and per-claim latencies. */
async function claimRun(serverUrl: string, batch: number, lockKeys: number): Promise<string> {
  const url = await freshDb(serverUrl);
  const dbs = Array.from({ length: INSTANCES }, (_, i) => new PgDatabase(url, { max: 4, applicationName: `bench:${i}` }));
  const now = Date.now();
  const clock = { now: () => Date.now() };
  const queues = dbs.map((db, i) => new PgJobQueue(db, clock, { instanceId: `i${i}` }));
  await seed(dbs[0]!, queues[0]!, now, lockKeys);
  const claimMs: number[] = [];
  let claimed = 0;
  const start = performance.now();
  await Promise.all(queues.map(async (queue) => {
    for (let empty = 0; empty < 3;) {
      const t = performance.now();
      const jobs = await queue.claim(Date.now(), batch, LEASE);
      claimMs.push(performance.now() - t);
      if (jobs.length === 0) {
        empty += 1;
        continue;
      }
      empty = 0;
      claimed += jobs.length;
      await Promise.all(jobs.map((job) => queue.complete(job.id)));
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const s = summarize(claimMs);
  await Promise.all(dbs.map((db) => db.close()));
  return `batch ${String(batch).padStart(2)}, ${lockKeys ? `${lockKeys} lock keys` : "no lock keys"}: ${claimed} jobs in ${seconds.toFixed(2)} s = ${Math.round(claimed / seconds)} jobs/s; claim call p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} ms (n=${s.n})`;
}

async function notifyLatency(serverUrl: string, samples: number): Promise<string> {
  const url = await freshDb(serverUrl);
  const db = new PgDatabase(url, { max: 2 });
  const queue = new PgJobQueue(db, { now: () => Date.now() }, { instanceId: "enqueuer" });
  const waiting = new Map<number, (at: number) => void>();
  const listener = new PgJobListener({ url, onJob: (runAt) => waiting.get(runAt)?.(performance.now()) });
  await listener.start();
  const latencies: number[] = [];
  const enqueueMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const runAt = 1_000_000 + i;
    const heard = new Promise<number>((resolve) => waiting.set(runAt, resolve));
    const t = performance.now();
    await queue.enqueue({ kind: "k", payload: {}, runAt });
    enqueueMs.push(performance.now() - t);
    latencies.push((await heard) - t);
    waiting.delete(runAt);
  }
  await listener.close();
  await db.close();
  const l = summarize(latencies);
  const e = summarize(enqueueMs);
  return `NOTIFY enqueue -> listener (n=${l.n}): p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms; the enqueue call itself p50 ${fmt(e.p50)} p99 ${fmt(e.p99)} ms`;
}

async function main(): Promise<void> {
  const external = process.env.GRANTBOT_BENCH_PG_URL;
  const server = external ? null : await startPostgresServer();
  const serverUrl = external ?? server!.url;
  try {
    console.log(`PgJobQueue: ${INSTANCES} instances (separate pools) claiming ${JOBS} due jobs, completing each`);
    for (const [batch, keys] of [[1, 0], [10, 0], [32, 0], [10, 50]] as const) console.log(`  ${await claimRun(serverUrl, batch, keys)}`);
    console.log(await notifyLatency(serverUrl, 200));
  } finally {
    await server?.stop();
  }
}

await main();
