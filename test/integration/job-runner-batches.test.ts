/**
 * The job runner's batching (expiries and SCIM removals run many at a time) against the real
 * SQLite queue: what is due together runs together, one batch per key at a time so the next batch
 * collects what arrived meanwhile, a slow key holds up no other key, a job that failed in a batch
 * retries alone, and other jobs keep a slot while batches run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import { JobRunner, type BatchFailures, type JobHandler } from "../../src/services/jobs/runner.ts";
import type { Job, Log, Metrics } from "../../src/services/ports/index.ts";
import { systemClock, systemTimers } from "../../src/shared/clock.ts";

const log: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
const metrics = { requestFiled() {}, activated() {}, ended() {}, expiryLag() {}, jobFailed() {} } as unknown as Metrics;

let dir: string;
let store: Store;
let runner: JobRunner | null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "grantbot-runner-"));
  store = openStore(join(dir, "data"), systemClock);
  runner = null;
});
afterEach(async () => {
  await runner?.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function start(handlers: Record<string, JobHandler>, concurrency = 8): JobRunner {
  runner = new JobRunner({ jobs: store.jobs, clock: systemClock, timers: systemTimers, log, metrics, tx: store.transactor }, handlers, {
    concurrency,
    leaseMs: 60_000,
    retry: { baseMs: 20, maxMs: 20 },
  });
  runner.start();
  return runner;
}

const removal = (target: string, n: number) => ({ kind: "remove", payload: { target, n }, lockKey: `scim:${target}:user${n}`, dedupeKey: `remove:${target}:${n}` });

describe("JobRunner batches", () => {
  it("runs jobs due together as one batch per key, and the next batch collects what arrived meanwhile", async () => {
    const batches: { target: string; ns: number[] }[] = [];
    const gate = deferred();
    const r = start({
      remove: {
        maxAttempts: null,
        async run() {
          throw new Error("batched kinds run through batch.run");
        },
        batch: {
          size: 100,
          key: (job) => `scim:${String(job.payload.target)}:`,
          async run(jobs: Job[]): Promise<BatchFailures> {
            batches.push({ target: String(jobs[0]!.payload.target), ns: jobs.map((j) => Number(j.payload.n)).sort((a, b) => a - b) });
            if (batches.length === 1) await gate.promise;
            return new Map();
          },
        },
      },
    });
    await store.transactor.transaction(async () => {
      for (let n = 0; n < 5; n++) await store.jobs.enqueue(removal("aws", n));
    });
    r.wake();
    await expect.poll(() => batches.length).toBe(1);
    // While the aws batch is in flight: more aws removals (held for the next batch) and okta ones
    // (another key: a batch of their own at once).
    await store.transactor.transaction(async () => {
      for (let n = 5; n < 8; n++) await store.jobs.enqueue(removal("aws", n));
      for (let n = 0; n < 2; n++) await store.jobs.enqueue(removal("okta", n));
    });
    r.wake();
    await expect.poll(() => batches.length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches).toEqual([
      { target: "aws", ns: [0, 1, 2, 3, 4] },
      { target: "okta", ns: [0, 1] },
    ]);
    gate.resolve();
    await r.drain();
    expect(batches[2]).toEqual({ target: "aws", ns: [5, 6, 7] });
    expect(await store.jobs.pending()).toEqual([]);
  });

  it("retries only the job that failed in a batch; the others are done", async () => {
    const runs: number[][] = [];
    const r = start({
      remove: {
        maxAttempts: null,
        async run() {},
        batch: {
          size: 100,
          key: () => "scim:aws:",
          async run(jobs: Job[]): Promise<BatchFailures> {
            runs.push(jobs.map((j) => Number(j.payload.n)).sort((a, b) => a - b));
            const failures: BatchFailures = new Map();
            for (const j of jobs) if (j.payload.n === 2 && j.attempts === 1) failures.set(j.id, new Error("target answered 503"));
            return failures;
          },
        },
      },
    });
    await store.transactor.transaction(async () => {
      for (let n = 0; n < 4; n++) await store.jobs.enqueue(removal("aws", n));
    });
    r.wake();
    await expect.poll(() => runs.length, { timeout: 5_000 }).toBe(2);
    await r.drain();
    expect(runs).toEqual([[0, 1, 2, 3], [2]]);
    expect(await store.jobs.pending()).toEqual([]);
  });

  it("keeps one slot for other jobs while a batch is running, so they neither wait for it nor crowd it out", async () => {
    const gate = deferred();
    const ran: string[] = [];
    let active = 0;
    let mostAtOnce = 0;
    const r = start({
      remove: {
        maxAttempts: null,
        async run() {},
        batch: { size: 100, key: () => "scim:aws:", run: async () => (await gate.promise, new Map()) },
      },
      notify: {
        maxAttempts: 3,
        async run(payload) {
          mostAtOnce = Math.max(mostAtOnce, ++active);
          await new Promise((resolve) => setTimeout(resolve, 10));
          active--;
          ran.push(String(payload.n));
        },
      },
    });
    await store.transactor.transaction(async () => {
      await store.jobs.enqueue(removal("aws", 0));
      for (let n = 0; n < 5; n++) await store.jobs.enqueue({ kind: "notify", payload: { n }, lockKey: `grant:${n}` });
    });
    r.wake();
    // All five notifications run (one at a time) while the removal batch is still waiting.
    await expect.poll(() => ran.length, { timeout: 5_000 }).toBe(5);
    expect(mostAtOnce).toBe(1);
    expect(r.inFlight).toBe(1);
    gate.resolve();
    await r.drain();
  });
});
