/**
 * A job that runs longer than one lease keeps its lease: the runner extends the leases of its
 * running jobs (a heartbeat a third of a lease apart) before it claims anything, so it never claims
 * its own running job again (a Slack call retrying through an outage can run for minutes). Against
 * the real SQLite queue with a short lease.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import { JobRunner } from "../../src/services/jobs/runner.ts";
import type { Log, Metrics } from "../../src/services/ports/index.ts";
import { systemClock, systemTimers } from "../../src/shared/clock.ts";

const log: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
const metrics = { requestFiled() {}, activated() {}, ended() {}, expiryLag() {}, jobFailed() {} } as unknown as Metrics;
const LEASE_MS = 150;

let dir: string;
let store: Store;
let runner: JobRunner | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "grantbot-leases-"));
  store = openStore(join(dir, "data"), systemClock);
});
afterEach(async () => {
  await runner?.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

it("runs a job that outlives several leases exactly once, its lease extended while it runs", async () => {
  let runs = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  runner = new JobRunner({ jobs: store.jobs, clock: systemClock, timers: systemTimers, log, metrics, tx: store.transactor }, {
    slow: {
      maxAttempts: 3,
      async run() {
        runs++;
        started();
        await released;
      },
    },
  }, { concurrency: 4, leaseMs: LEASE_MS, retry: { baseMs: 20, maxMs: 20 } });
  const id = (await store.jobs.enqueue({ kind: "slow", payload: {} }))!;
  runner.start();
  await running;
  const firstLease = (await store.jobs.get(id))!.leaseUntil!;

  // Wait (on the clock, not a budget) until at least six leases have gone by, and until the lease
  // has been extended past its first end at least twice.
  const leases: number[] = [firstLease];
  const t0 = Date.now();
  while (Date.now() - t0 < LEASE_MS * 6 || leases.length < 3) {
    await sleep(LEASE_MS / 5);
    const lease = (await store.jobs.get(id))!.leaseUntil!;
    if (lease > leases[leases.length - 1]!) leases.push(lease);
  }
  expect(runs).toBe(1);
  expect((await store.jobs.get(id))!.state).toBe("running");
  expect((await store.jobs.get(id))!.attempts).toBe(1);

  release();
  await runner.drain();
  expect(runs).toBe(1);
  expect((await store.jobs.get(id))!.state).toBe("done");
});
