/**
 * PgJobQueue with several instances on one database (separate pools, different instance ids), as
 * several grantbot processes use it: concurrent claims, lock keys across instances, takeover of an
 * expired lease, and what the instance that lost a job may still do to it (nothing).
 */
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { PgJobQueue } from "../../src/adapters/postgres/pg-job-queue.ts";
import { CLAIM_KINDS_SQL } from "../../src/adapters/postgres/pg-job-queue-sql.ts";
import { createJobQueueSchema } from "../support/pg-job-queue-schema.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const LEASE = 30_000;

describeWithPostgres("PgJobQueue shared by several instances", () => {
  let url: string;
  let dbs: PgDatabase[] = [];
  let clock: { t: number; now(): number };
  let a: PgJobQueue, b: PgJobQueue, c: PgJobQueue;

  beforeAll(async () => {
    url = await freshDatabaseUrl("jobs_cluster");
    const db = new PgDatabase(url, { max: 1 });
    await createJobQueueSchema(db);
    await db.close();
  });
  beforeEach(async () => {
    clock = { t: 1_000_000, now() { return this.t; } };
    dbs = ["a", "b", "c"].map((id) => new PgDatabase(url, { max: 4, applicationName: `grantbot:${id}` }));
    await dbs[0]!.query("TRUNCATE jobs RESTART IDENTITY");
    const queues = dbs.map((db, i) => new PgJobQueue(db, clock, { instanceId: ["a", "b", "c"][i]! }));
    [a, b, c] = [queues[0]!, queues[1]!, queues[2]!];
  });
  afterEach(async () => {
    await Promise.all(dbs.map((db) => db.close()));
  });

  async function enqueueMany(n: number, lockKey?: (i: number) => string, kind: (i: number) => string = () => "k"): Promise<number[]> {
    const ids: number[] = [];
    await dbs[0]!.transaction(async () => {
      for (let i = 0; i < n; i++) ids.push((await a.enqueue({ kind: kind(i), payload: { i }, runAt: clock.now() - n + i, lockKey: lockKey?.(i) }))!);
    });
    return ids;
  }

  it("gives each of 600 jobs to exactly one of three instances claiming concurrently", async () => {
    const ids = await enqueueMany(600);
    const claimedBy = new Map<number, string[]>();
    await Promise.all([a, b, c].map(async (queue) => {
      for (;;) {
        const jobs = await queue.claim(clock.now(), 7, LEASE);
        if (jobs.length === 0) break;
        for (const job of jobs) claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), queue.instanceId]);
      }
    }));
    expect([...claimedBy.keys()].sort((x, y) => x - y)).toEqual(ids);
    expect([...claimedBy.values()].filter((by) => by.length !== 1)).toEqual([]);
    const perInstance = new Map<string, number>();
    for (const [by] of claimedBy.values()) perInstance.set(by!, (perInstance.get(by!) ?? 0) + 1);
    expect(perInstance.size).toBe(3); // all three took part
    const { rows } = await dbs[0]!.query<{ attempts: number; n: number }>("SELECT attempts, count(*)::int AS n FROM jobs GROUP BY attempts");
    expect(rows).toEqual([{ attempts: 1, n: 600 }]);
  });

  it("never runs two jobs sharing a lock key at the same time, across instances claiming different kinds", async () => {
    // Jobs of two kinds share lock keys; one instance claims kind x, one kind y, one both (as the
    // runner claims batch kinds one by one): their candidates differ, so only the claim lock keeps
    // two instances from taking two jobs of one key at once.
    const ids = await enqueueMany(240, (i) => `scim:user-${i % 8}`, (i) => (i % 3 === 0 ? "x" : "y"));
    const kinds = [["x"], ["y"], undefined];
    const holding = new Map<string, number>(); // lock key -> job running under it, in any instance
    const overlaps: string[] = [];
    const ran: number[] = [];
    await Promise.all([a, b, c].map(async (queue, q) => {
      for (let idle = 0; idle < 50;) {
        const jobs = await queue.claim(clock.now(), 3, LEASE, kinds[q]);
        if (jobs.length === 0) {
          idle += 1;
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
        idle = 0;
        await Promise.all(jobs.map(async (job) => {
          const key = job.lockKey!;
          if (holding.has(key)) overlaps.push(`${key}: ${holding.get(key)} and ${job.id}`);
          holding.set(key, job.id);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          ran.push(job.id);
          holding.delete(key); // before the completion commits: the key is still held in the database
          await queue.complete(job.id);
        }));
      }
    }));
    expect(overlaps).toEqual([]);
    expect(ran.sort((x, y) => x - y)).toEqual(ids);
  });

  it("lets another instance take over a job whose lease ran out, and ignores the first instance's late outcome", async () => {
    const id = (await a.enqueue({ kind: "k", payload: {} }))!;
    await a.claim(clock.now(), 1, LEASE);
    expect(await b.claim(clock.now() + LEASE - 1, 1, LEASE)).toEqual([]);
    clock.t += LEASE; // instance a stalled (or died) past its lease
    const [taken] = await b.claim(clock.now(), 1, LEASE);
    expect(taken).toMatchObject({ id, attempts: 2, leaseUntil: clock.now() + LEASE });
    expect(await a.renew([id], clock.now() + 10 * LEASE)).toBe(0);
    await a.complete(id);
    expect(await a.fail(id, "late failure from a", null)).toBe("running");
    expect(await a.release([id])).toBe(0);
    expect(await a.get(id)).toMatchObject({ state: "running", lastError: null, leaseUntil: clock.now() + LEASE, attempts: 2 });
    await b.complete(id);
    expect((await a.get(id))?.state).toBe("done");
  });

  it("records a batch of completions (completeAll) only for the jobs this instance still holds", async () => {
    const [taken, kept] = [(await a.enqueue({ kind: "k", payload: { n: 1 } }))!, (await a.enqueue({ kind: "k", payload: { n: 2 } }))!];
    expect((await a.claim(clock.now(), 1, LEASE)).map((j) => j.id)).toEqual([taken]);
    clock.t += LEASE; // a stalled past this lease: b takes the job over
    expect((await b.claim(clock.now(), 1, LEASE)).map((j) => j.id)).toEqual([taken]);
    expect((await a.claim(clock.now(), 1, LEASE)).map((j) => j.id)).toEqual([kept]);
    // a's late turn records both as done: only the one it still holds is.
    await a.completeAll([taken, kept]);
    expect(await a.get(taken)).toMatchObject({ state: "running", attempts: 2 });
    expect((await a.get(kept))?.state).toBe("done");
    await b.completeAll([taken]);
    expect((await a.get(taken))?.state).toBe("done");
    await a.completeAll([]);
  });

  it("refuses to renew, complete or fail a job leased by another instance", async () => {
    const id = (await a.enqueue({ kind: "k", payload: {} }))!;
    const [job] = await a.claim(clock.now(), 1, LEASE);
    expect(await b.renew([id], clock.now() + 5 * LEASE)).toBe(0);
    await b.complete(id);
    expect(await b.fail(id, "not mine", clock.now())).toBe("running");
    expect(await a.get(id)).toMatchObject({ state: "running", leaseUntil: job!.leaseUntil });
    expect(await a.renew([id], clock.now() + 5 * LEASE)).toBe(1);
  });

  it("re-queues at start-up only the jobs left running under its own instance id", async () => {
    const mine = (await a.enqueue({ kind: "k", payload: { n: 1 } }))!;
    const theirs = (await a.enqueue({ kind: "k", payload: { n: 2 } }))!;
    await a.claim(clock.now(), 1, LEASE);
    await b.claim(clock.now(), 1, LEASE);
    const restarted = new PgJobQueue(dbs[2]!, clock, { instanceId: "a" });
    expect(await restarted.requeueRunning()).toBe(1);
    expect((await c.get(mine))?.state).toBe("queued");
    expect((await c.get(theirs))?.state).toBe("running");
    expect(await c.requeueRunning()).toBe(0);
  });

  it("claims a kind along the kind index, not by reading the due jobs of other kinds", async () => {
    await dbs[0]!.transaction(async () => {
      for (let i = 0; i < 2000; i++) await a.enqueue({ kind: "notify", payload: { i }, runAt: i });
    });
    await dbs[0]!.query("ANALYZE jobs");
    const { rows } = await dbs[0]!.query<{ "QUERY PLAN": string }>(`EXPLAIN ${CLAIM_KINDS_SQL}`, [5000, null, 56, 10, LEASE, "a", ["scim-remove"]]);
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toMatch(/Index (Only )?Scan using jobs_kind_state_run_at on jobs j/);
    expect(plan).not.toMatch(/Seq Scan on jobs/); // the lease itself goes by primary key too
  });
});
