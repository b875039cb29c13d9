/**
 * What the runner does when PostgreSQL NOTIFYs that a job was queued (wakeAt): a job due later is
 * claimed at its moment (due-time precision across instances); a job already due is claimed
 * NOTIFIED_DUE_DELAY_MS later — the instance that queued it claims it itself at once — and a burst of
 * such notifications costs one claim, not one each. A manual clock and timers make it exact.
 */
import { beforeEach, expect, it } from "vitest";
import { JobRunner } from "../../src/services/jobs/runner.ts";
import { NOTIFIED_DUE_DELAY_MS } from "../../src/services/jobs/runner-options.ts";
import type { Job, JobQueue, Log, Metrics } from "../../src/services/ports/index.ts";
import type { Timers } from "../../src/shared/clock.ts";

const log: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
const metrics = { expiryLag() {}, jobFailed() {} } as unknown as Metrics;

let now = 1_000_000;
let timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
const manualTimers: Timers = {
  setTimeout(fn, ms) {
    const timer = { at: now + ms, fn, cancelled: false };
    timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  },
};
let claims: number[] = [];

/** The queue as the runner sees it when nothing is due: every claim is recorded and finds nothing. */
const emptyQueue = {
  async claim(at: number): Promise<Job[]> {
    claims.push(at);
    return [];
  },
  async nextWakeAt() {
    return null;
  },
  async completeAll() {},
  async complete() {},
  async release() {},
} as unknown as JobQueue;

const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** Advances the manual clock to `at`, firing the timers due by then. */
async function advanceTo(at: number): Promise<void> {
  now = at;
  for (const timer of timers.filter((t) => !t.cancelled && t.at <= at)) {
    timer.cancelled = true;
    timer.fn();
  }
  await settle();
}

function pendingTimers(): number[] {
  return timers.filter((t) => !t.cancelled).map((t) => t.at - now);
}

let runner: JobRunner;
beforeEach(async () => {
  now = 1_000_000;
  timers = [];
  claims = [];
  runner = new JobRunner({ jobs: emptyQueue, clock: { now: () => now }, timers: manualTimers, log, metrics }, { noop: { maxAttempts: 1, async run() {} } }, { concurrency: 4, leaseMs: 3_000, retry: { baseMs: 10, maxMs: 10 } });
  runner.start();
  await settle();
  claims = []; // the claim at start
});

it("claims a job another instance queued for later at its moment, not before", async () => {
  runner.wakeAt(now + 30);
  await settle();
  expect(claims).toEqual([]);
  expect(pendingTimers()).toEqual([30]);
  await advanceTo(now + 30);
  expect(claims).toEqual([now]);
});

it("claims jobs notified as already due once, NOTIFIED_DUE_DELAY_MS later, however many notifications came", async () => {
  for (let i = 0; i < 5; i++) {
    runner.wakeAt(now - i);
    await settle();
  }
  expect(claims).toEqual([]);
  expect(pendingTimers()).toEqual([NOTIFIED_DUE_DELAY_MS]);
  await advanceTo(now + NOTIFIED_DUE_DELAY_MS);
  expect(claims).toHaveLength(1);
});

it("still claims at once when woken by this instance (its own job queued)", async () => {
  runner.wakeAt(now);
  runner.wake();
  await settle();
  expect(claims).toEqual([now]);
});

it("keeps an earlier timer when a later notification comes in", async () => {
  runner.wakeAt(now + 20);
  runner.wakeAt(now);
  await settle();
  expect(pendingTimers()).toEqual([20]);
});
