/**
 * On a queue shared by several instances, a job this instance has finished but not yet recorded as
 * done keeps its lease while the runner's turn is held up (here: a claim that does not come back,
 * as when it waits behind the cluster-wide claim lock). Without the heartbeat of its own, the lease
 * lapsed, the other instance claimed the job and ran it a second time.
 */
import { afterEach, expect, it } from "vitest";
import { openPgStore, type PgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import { JobRunner } from "../../src/services/jobs/runner.ts";
import type { JobQueue, Log, Metrics } from "../../src/services/ports/index.ts";
import { systemClock, systemTimers } from "../../src/shared/clock.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const log: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
const metrics = { requestFiled() {}, activated() {}, ended() {}, expiryLag() {}, jobFailed() {} } as unknown as Metrics;
const LEASE_MS = 300;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const stores: PgStore[] = [];
const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describeWithPostgres("job runner heartbeat on PostgreSQL", () => {
  it("keeps the lease of a finished job while its turn is held up, so another instance never runs it again", async () => {
    const url = await freshDatabaseUrl("heartbeat");
    const a = await openPgStore(url, systemClock, { instanceId: "instance-a", max: 4 });
    const b = await openPgStore(url, systemClock, { instanceId: "instance-b", max: 4 });
    stores.push(a, b);

    // A's claims: the first answers; from `hang` on, none comes back until `unhang`.
    let hang = false;
    let unhang!: () => void;
    const unhung = new Promise<void>((r) => (unhang = r));
    let hanging!: () => void;
    const claimHanging = new Promise<void>((r) => (hanging = r));
    const jobsA: JobQueue = Object.create(a.jobs, {
      claim: {
        value: async (...args: Parameters<JobQueue["claim"]>) => {
          if (hang) {
            hanging();
            await unhung;
          }
          return a.jobs.claim(...args);
        },
      },
    }) as JobQueue;

    let runs = 0;
    let proceed!: () => void;
    const proceeding = new Promise<void>((r) => (proceed = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const handlers = {
      work: {
        maxAttempts: 5,
        async run() {
          runs++;
          started();
          await proceeding;
        },
      },
    };
    const options = { concurrency: 4, leaseMs: LEASE_MS, retry: { baseMs: 20, maxMs: 20 }, groupClaims: false };
    const runnerA = new JobRunner({ jobs: jobsA, clock: systemClock, timers: systemTimers, log, metrics, tx: a.transactor }, handlers, options);
    runners.push(runnerA);
    const id = (await a.jobs.enqueue({ kind: "work", payload: {} }))!;
    runnerA.start();
    await running;

    // A's next turn gets stuck in its claim; then the job finishes (recorded at A's next turn).
    hang = true;
    runnerA.wake();
    await claimHanging;
    proceed();
    while (runnerA.activeJobs.length > 0) await sleep(10);

    // B claims all along. Six leases go by (the clock, not a budget: what matters is that they passed).
    const runnerB = new JobRunner({ jobs: b.jobs, clock: systemClock, timers: systemTimers, log, metrics, tx: b.transactor }, handlers, options);
    runners.push(runnerB);
    runnerB.start();
    const t0 = Date.now();
    while (Date.now() - t0 < LEASE_MS * 6) {
      await sleep(LEASE_MS / 3);
      runnerB.wake();
    }
    expect(runs).toBe(1);
    const held = (await a.jobs.get(id))!;
    expect(held).toMatchObject({ state: "running", attempts: 1 });
    expect(held.leaseUntil!).toBeGreaterThan(Date.now());
    expect(runnerA.leaseAgeMs()).toBeLessThanOrEqual(LEASE_MS);

    unhang();
    while ((await a.jobs.get(id))!.state !== "done") await sleep(10);
    expect(runs).toBe(1);
  }, 30_000);
});
