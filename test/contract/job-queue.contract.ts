/**
 * The JobQueue contract, run against every implementation (job-queue.test.ts): the
 * behaviours of test/integration/sqlite-job-queue.test.ts on the async port shape, so the SQLite
 * and PostgreSQL queues cannot drift apart.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { JobQueue } from "../../src/services/ports/index.ts";
import { backoffDelay } from "../../src/shared/backoff.ts";

export type AsyncJobQueue = AsyncPort<JobQueue> & { release(ids: readonly number[]): Promise<number> };

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export interface JobQueueHarness {
  queue: AsyncJobQueue;
  clock: TestClock;
  /** The queue of a second process (instance) on the same database, same clock. */
  another(): Promise<AsyncJobQueue>;
  /** Runs `fn` in one transaction of the queue's database. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function fakeClock(start = 1_000_000): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const LEASE = 30_000;
const MAX_ERROR_LENGTH = 2000;

export function jobQueueContract(name: string, open: () => Promise<JobQueueHarness>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let h: JobQueueHarness;
    let queue: AsyncJobQueue;
    let clock: TestClock;
    beforeEach(async () => {
      h = await open();
      ({ queue, clock } = h);
    });
    afterEach(async () => h.close());

    const ids = (jobs: { id: number }[]) => jobs.map((j) => j.id);

    it("enqueues a job once per dedupe key, whatever state the first one is in", async () => {
      const id = await queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" });
      expect(id).toBeTypeOf("number");
      expect(await queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" })).toBeNull();
      await queue.claim(clock.now(), 10, LEASE);
      await queue.complete(id!);
      expect(await queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" })).toBeNull();
      expect(await queue.enqueue({ kind: "notify", payload: {} })).not.toBeNull();
      expect(await queue.enqueue({ kind: "notify", payload: {} })).not.toBeNull();
    });

    it("refuses a maxAttempts that is not a positive integer", async () => {
      await expect(queue.enqueue({ kind: "k", payload: {}, maxAttempts: 0 })).rejects.toMatchObject({ code: "bad_input" });
      await expect(queue.enqueue({ kind: "k", payload: {}, maxAttempts: 1.5 })).rejects.toMatchObject({ code: "bad_input" });
    });

    it("keeps no job enqueued in a transaction that rolls back", async () => {
      await expect(h.transaction(async () => {
        await queue.enqueue({ kind: "k", payload: {}, dedupeKey: "rolled-back" });
        throw new Error("abort");
      })).rejects.toThrow("abort");
      expect(await queue.pending()).toEqual([]);
      expect(await queue.enqueue({ kind: "k", payload: {}, dedupeKey: "rolled-back" })).not.toBeNull();
    });

    it("does not claim a job before its runAt and claims it at that moment", async () => {
      const id = (await queue.enqueue({ kind: "expire", payload: { grantId: "g1", nested: { n: [1, "two"] } }, runAt: clock.now() + 5_000 }))!;
      expect(await queue.claim(clock.now() + 4_999, 10, LEASE)).toEqual([]);
      const [job] = await queue.claim(clock.now() + 5_000, 10, LEASE);
      expect(job).toEqual({
        id, kind: "expire", payload: { grantId: "g1", nested: { n: [1, "two"] } }, runAt: clock.now() + 5_000, attempts: 1, maxAttempts: null,
        lastError: null, state: "running", dedupeKey: null, lockKey: null, leaseUntil: clock.now() + 5_000 + LEASE, createdAt: clock.now(),
      });
    });

    it("claims the earliest jobs first, up to the limit, filtered by kind", async () => {
      const late = (await queue.enqueue({ kind: "a", payload: {}, runAt: 30 }))!;
      const early = (await queue.enqueue({ kind: "a", payload: {}, runAt: 10 }))!;
      await queue.enqueue({ kind: "b", payload: {}, runAt: 0 });
      expect(ids(await queue.claim(100, 1, LEASE, ["a"]))).toEqual([early]);
      expect(ids(await queue.claim(100, 5, LEASE, ["a"]))).toEqual([late]);
      expect(await queue.claim(100, 5, LEASE, [])).toEqual([]);
      expect(await queue.claim(100, 0, LEASE)).toEqual([]);
    });

    it("re-queues a failed job at the retry time computed by the backoff", async () => {
      const id = (await queue.enqueue({ kind: "scim.remove", payload: {} }))!;
      const [job] = await queue.claim(clock.now(), 1, LEASE);
      const delay = backoffDelay(job!.attempts, { baseMs: 1_000, maxMs: 60_000, random: () => 0.5 });
      expect(await queue.fail(id, "503 Service Unavailable", clock.now() + delay)).toBe("queued");
      expect(await queue.get(id)).toMatchObject({ state: "queued", runAt: clock.now() + 500, lastError: "503 Service Unavailable", leaseUntil: null });
      expect(await queue.claim(clock.now() + 499, 1, LEASE)).toEqual([]);
      const [second] = await queue.claim(clock.now() + 500, 1, LEASE);
      expect(second?.attempts).toBe(2);
      await queue.fail(id, "503 again", clock.now() + 1_500);
      expect((await queue.get(id))?.runAt).toBe(clock.now() + 1_500);
    });

    it("buries a job as dead after maxAttempts failures, or at once when no retry is given", async () => {
      const id = (await queue.enqueue({ kind: "notify", payload: {}, maxAttempts: 2 }))!;
      await queue.claim(clock.now(), 1, LEASE);
      expect(await queue.fail(id, "boom", clock.now())).toBe("queued");
      await queue.claim(clock.now(), 1, LEASE);
      expect(await queue.fail(id, "boom", clock.now())).toBe("dead");
      expect(await queue.claim(clock.now() + 1e9, 10, LEASE)).toEqual([]);
      const other = (await queue.enqueue({ kind: "notify", payload: {} }))!;
      await queue.claim(clock.now(), 1, LEASE);
      expect(await queue.fail(other, "not retryable", null)).toBe("dead");
      expect((await queue.get(other))?.lastError).toBe("not retryable");
    });

    it("leaves a job that is no longer running as it is on a second complete or fail", async () => {
      const id = (await queue.enqueue({ kind: "k", payload: {} }))!;
      await queue.claim(clock.now(), 1, LEASE);
      await queue.complete(id);
      await queue.complete(id);
      expect(await queue.fail(id, "late failure", clock.now())).toBe("done");
      expect(await queue.get(id)).toMatchObject({ state: "done", lastError: null });
      await expect(queue.fail(987_654, "x", null)).rejects.toMatchObject({ code: "internal" });
    });

    it("records several claimed jobs as done at once, leaving queued and finished ones as they are", async () => {
      const [a, b, waiting] = [(await queue.enqueue({ kind: "k", payload: { n: 1 } }))!, (await queue.enqueue({ kind: "k", payload: { n: 2 } }))!, (await queue.enqueue({ kind: "k", payload: { n: 3 } }))!];
      await queue.claim(clock.now(), 2, LEASE);
      await queue.complete(a);
      await queue.completeAll([a, b, waiting]);
      expect((await queue.get(a))?.state).toBe("done");
      expect((await queue.get(b))?.state).toBe("done");
      expect((await queue.get(waiting))?.state).toBe("queued");
      await queue.completeAll([]);
    });

    it("keeps only the first 2000 characters of an error", async () => {
      const id = (await queue.enqueue({ kind: "k", payload: {} }))!;
      await queue.claim(clock.now(), 1, LEASE);
      await queue.fail(id, "x".repeat(10_000), clock.now());
      expect((await queue.get(id))?.lastError?.length).toBe(MAX_ERROR_LENGTH);
    });

    it("re-claims a job whose worker crashed once its lease expires, and not before", async () => {
      const id = (await queue.enqueue({ kind: "scim.remove", payload: { grantId: "g1" } }))!;
      expect(ids(await queue.claim(clock.now(), 1, LEASE))).toEqual([id]);
      const other = await h.another(); // the first process died without completing the job
      expect((await other.get(id))?.state).toBe("running");
      expect(await other.claim(clock.now() + LEASE - 1, 10, LEASE)).toEqual([]);
      const [again] = await other.claim(clock.now() + LEASE, 10, LEASE);
      expect(again).toMatchObject({ id, attempts: 2, state: "running", payload: { grantId: "g1" } });
      await other.complete(id);
      expect((await other.get(id))?.state).toBe("done");
    });

    it("never gives the same job to two workers sharing the database", async () => {
      const all = [];
      for (const n of [1, 2, 3]) all.push((await queue.enqueue({ kind: "k", payload: { n } }))!);
      const other = await h.another();
      const a = ids(await queue.claim(clock.now(), 2, LEASE));
      const b = ids(await other.claim(clock.now(), 2, LEASE));
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(all);
      expect(b).toHaveLength(1);
    });

    it("buries a crashed job that already used its last attempt instead of re-running it", async () => {
      const id = (await queue.enqueue({ kind: "k", payload: {}, maxAttempts: 1 }))!;
      await queue.claim(clock.now(), 1, LEASE);
      expect(await queue.claim(clock.now() + LEASE, 1, LEASE)).toEqual([]);
      expect(await queue.get(id)).toMatchObject({ state: "dead", lastError: expect.stringMatching(/lease expired/) });
    });

    it("never runs two jobs with the same lock key at the same time", async () => {
      const first = (await queue.enqueue({ kind: "scim", payload: { n: 1 }, lockKey: "aws:alice" }))!;
      const second = (await queue.enqueue({ kind: "scim", payload: { n: 2 }, lockKey: "aws:alice" }))!;
      const free = (await queue.enqueue({ kind: "scim", payload: { n: 3 }, lockKey: "aws:bob" }))!;
      expect(ids(await queue.claim(clock.now(), 10, LEASE))).toEqual([first, free]);
      expect(await queue.claim(clock.now() + 1, 10, LEASE)).toEqual([]);
      await queue.complete(first);
      expect(ids(await queue.claim(clock.now() + 1, 10, LEASE))).toEqual([second]);
    });

    it("frees a lock key held by a crashed worker when its lease expires", async () => {
      const stuck = (await queue.enqueue({ kind: "scim", payload: {}, lockKey: "k" }))!;
      const waiting = (await queue.enqueue({ kind: "scim", payload: {}, lockKey: "k" }))!;
      await queue.claim(clock.now(), 10, LEASE);
      expect(ids(await queue.claim(clock.now() + LEASE, 10, LEASE))).toEqual([stuck]);
      await queue.complete(stuck);
      expect(ids(await queue.claim(clock.now() + LEASE, 10, LEASE))).toEqual([waiting]);
    });

    it("claims across several kinds in runAt order, as one queue", async () => {
      const b1 = (await queue.enqueue({ kind: "b", payload: {}, runAt: 5 }))!;
      const a1 = (await queue.enqueue({ kind: "a", payload: {}, runAt: 10 }))!;
      const c1 = (await queue.enqueue({ kind: "c", payload: {}, runAt: 1 }))!;
      const b2 = (await queue.enqueue({ kind: "b", payload: {}, runAt: 20 }))!;
      expect(ids(await queue.claim(100, 3, LEASE, ["a", "b"]))).toEqual([b1, a1, b2]);
      expect(ids(await queue.claim(100, 3, LEASE))).toEqual([c1]);
    });

    it("finds due jobs of one kind behind thousands of due jobs of other kinds, skipping excluded lock prefixes", async () => {
      await h.transaction(async () => {
        for (let i = 0; i < 3000; i++) await queue.enqueue({ kind: "notify", payload: { i }, runAt: i, lockKey: `grant:${i}` });
      });
      const removal = (await queue.enqueue({ kind: "scim-remove", payload: {}, runAt: 5000, lockKey: "scim:aws:alice" }))!;
      const busy = (await queue.enqueue({ kind: "scim-remove", payload: {}, runAt: 4000, lockKey: "scim:okta:bob" }))!;
      expect(ids(await queue.claim(6000, 10, LEASE, ["scim-remove"], ["scim:okta:"]))).toEqual([removal]);
      expect((await queue.get(busy))?.state).toBe("queued");
    });

    it("reports when to wake up next: earliest queued runAt or running lease end", async () => {
      expect(await queue.nextWakeAt()).toBeNull();
      await queue.enqueue({ kind: "a", payload: {}, runAt: clock.now() + 60_000 });
      const soon = (await queue.enqueue({ kind: "a", payload: {}, runAt: clock.now() + 100 }))!;
      expect(await queue.nextWakeAt()).toBe(clock.now() + 100);
      await queue.claim(clock.now() + 100, 1, LEASE);
      expect(await queue.nextWakeAt()).toBe(clock.now() + 100 + LEASE);
      await queue.complete(soon);
      expect(await queue.nextWakeAt()).toBe(clock.now() + 60_000);
    });

    it("extends the leases of running jobs and hands leases back to the queue", async () => {
      const a = (await queue.enqueue({ kind: "k", payload: {} }))!;
      const b = (await queue.enqueue({ kind: "k", payload: {} }))!;
      await queue.claim(clock.now(), 10, LEASE);
      expect(await queue.renew([a, b, 12345], clock.now() + 2 * LEASE)).toBe(2);
      expect(await queue.renew([], clock.now())).toBe(0);
      expect(await queue.claim(clock.now() + LEASE, 10, LEASE)).toEqual([]);
      expect(await queue.release([a])).toBe(1);
      expect(await queue.get(a)).toMatchObject({ state: "queued", leaseUntil: null, attempts: 1 });
      expect(ids(await queue.claim(clock.now(), 10, LEASE))).toEqual([a]);
      await queue.complete(b);
      expect(await queue.renew([b], clock.now() + 3 * LEASE)).toBe(0);
    });

    it("re-queues at start-up the jobs this process left running", async () => {
      const id = (await queue.enqueue({ kind: "k", payload: {} }))!;
      await queue.claim(clock.now(), 1, LEASE);
      expect(await queue.requeueRunning()).toBe(1);
      expect(await queue.get(id)).toMatchObject({ state: "queued", leaseUntil: null });
    });

    it("counts queued and running jobs by kind and lists pending ones by dedupe key prefix or grant", async () => {
      await queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" });
      await queue.enqueue({ kind: "expire", payload: { grantId: "g2" }, dedupeKey: "expire:g2", runAt: clock.now() + 1 });
      const done = (await queue.enqueue({ kind: "notify", payload: { grantId: "g1" }, dedupeKey: "notify:g1" }))!;
      await queue.claim(clock.now(), 10, LEASE, ["notify"]);
      expect(await queue.depth()).toEqual({ expire: 2, notify: 1 });
      expect((await queue.pendingOf("notify", "g1")).map((j) => j.id)).toEqual([done]);
      await queue.complete(done);
      expect(await queue.depth()).toEqual({ expire: 2 });
      expect((await queue.pending("expire:")).map((j) => j.dedupeKey)).toEqual(["expire:g1", "expire:g2"]);
      expect(await queue.pending("EXPIRE:")).toEqual([]);
      expect(await queue.pending("expire:g1_")).toEqual([]);
      expect(await queue.pending()).toHaveLength(2);
      expect((await queue.pendingOf("expire")).map((j) => j.dedupeKey)).toEqual(["expire:g1", "expire:g2"]);
      expect((await queue.pendingOf("expire", "g2")).map((j) => j.dedupeKey)).toEqual(["expire:g2"]);
      expect(await queue.pendingOf("notify", "g1")).toEqual([]);
    });

    it("enqueues many jobs at once, each once per dedupe key, the first of the batch winning", async () => {
      await queue.enqueue({ kind: "expire", payload: { v: "old" }, dedupeKey: "d:1" });
      const inserted = await queue.enqueueMany([
        { kind: "expire", payload: { v: "new" }, dedupeKey: "d:1" },
        { kind: "expire", payload: { v: "first" }, dedupeKey: "d:2", runAt: clock.now() + 5, lockKey: "aws:alice", maxAttempts: 3 },
        { kind: "expire", payload: { v: "second" }, dedupeKey: "d:2" },
        { kind: "notify", payload: { v: "x" } },
        { kind: "notify", payload: { v: "x" } },
      ]);
      expect(inserted).toBe(3);
      expect((await queue.pending("d:")).map((j) => [j.dedupeKey, j.payload])).toEqual([["d:1", { v: "old" }], ["d:2", { v: "first" }]]);
      expect((await queue.pending("d:2"))[0]).toMatchObject({ runAt: clock.now() + 5, lockKey: "aws:alice", maxAttempts: 3, state: "queued", attempts: 0, createdAt: clock.now() });
      expect(await queue.depth()).toEqual({ expire: 2, notify: 2 });
      expect(await queue.enqueueMany([{ kind: "expire", payload: {}, dedupeKey: "d:2" }])).toBe(0);
      expect(await queue.enqueueMany([])).toBe(0);
    });

    it("refuses a batch with a maxAttempts that is not a positive integer and enqueues none of it", async () => {
      const good = { kind: "k", payload: {}, dedupeKey: "good" };
      await expect(queue.enqueueMany([good, { kind: "k", payload: {}, maxAttempts: 0 }])).rejects.toMatchObject({ code: "bad_input" });
      await expect(queue.enqueueMany([good, { kind: "k", payload: {}, maxAttempts: 1.5 }])).rejects.toMatchObject({ code: "bad_input" });
      expect(await queue.pending()).toEqual([]);
      expect(await queue.enqueueMany([good, { kind: "k", payload: {}, maxAttempts: null }])).toBe(2);
    });

    it("keeps no job of a batch enqueued in a transaction that rolls back", async () => {
      await expect(h.transaction(async () => {
        await queue.enqueueMany([{ kind: "k", payload: {}, dedupeKey: "rolled-back" }, { kind: "k", payload: {} }]);
        throw new Error("abort");
      })).rejects.toThrow("abort");
      expect(await queue.pending()).toEqual([]);
    });

    it("runs the jobs of a batch due at the same time in the order they were given", async () => {
      const order = [3, 1, 4, 0, 2];
      expect(await queue.enqueueMany(order.map((n) => ({ kind: "k", payload: { n }, runAt: clock.now() })))).toBe(order.length);
      const pending = await queue.pending();
      expect(pending.map((j) => j.payload.n)).toEqual(order);
      expect(ids(pending)).toEqual([...ids(pending)].sort((a, b) => a - b));
      const claimed = [];
      for (let i = 0; i < order.length; i++) claimed.push(...(await queue.claim(clock.now(), 1, LEASE)));
      expect(claimed.map((j) => j.payload.n)).toEqual(order);
    });

    it("lists the pending jobs of one kind for several grants, earliest due first, leaving out finished ones", async () => {
      const a = (await queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, runAt: clock.now() + 20 }))!;
      const b = (await queue.enqueue({ kind: "expire", payload: { grantId: "g2" }, runAt: clock.now() + 10 }))!;
      await queue.enqueue({ kind: "expire", payload: { grantId: "g3" }, runAt: clock.now() + 5 });
      const d = (await queue.enqueue({ kind: "notify", payload: { grantId: "g1" }, runAt: clock.now() }))!;
      const e = (await queue.enqueue({ kind: "expire", payload: { grantId: "g2" }, runAt: clock.now() }))!;
      const f = (await queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, runAt: clock.now() }))!;
      expect(ids(await queue.claim(clock.now(), 2, LEASE, ["expire"]))).toEqual([e, f]);
      await queue.complete(e);
      expect(ids(await queue.pendingOfGrants("expire", ["g1", "g2", "ghost"]))).toEqual([f, b, a]);
      expect((await queue.pendingOfGrants("expire", ["g1"]))[0]).toMatchObject({ id: f, state: "running" });
      expect(ids(await queue.pendingOfGrants("notify", ["g1", "g2"]))).toEqual([d]);
      expect(await queue.pendingOfGrants("expire", [])).toEqual([]);
    });

    it("prunes finished jobs last touched before a time", async () => {
      const id = (await queue.enqueue({ kind: "a", payload: {} }))!;
      await queue.claim(clock.now(), 1, LEASE);
      await queue.complete(id);
      expect(await queue.pruneFinished(clock.now())).toBe(0);
      expect(await queue.pruneFinished(clock.now() + 1)).toBe(1);
      expect(await queue.get(id)).toBeNull();
    });
  });
}
