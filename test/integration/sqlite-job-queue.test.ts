import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/adapters/sqlite/database.ts";
import { candidatesOfKindsSql, MAX_ERROR_LENGTH, SqliteJobQueue } from "../../src/adapters/sqlite/sqlite-job-queue.ts";
import { backoffDelay } from "../../src/shared/backoff.ts";

function fakeClock(start = 1_000_000) {
  return { t: start, now() { return this.t; }, advance(ms: number) { this.t += ms; } };
}

let dir: string;
let db: Db;
let clock: ReturnType<typeof fakeClock>;
let queue: SqliteJobQueue;
const LEASE = 30_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "grantbot-jobs-"));
  db = openDatabase(join(dir, "grantbot.db"));
  clock = fakeClock();
  queue = new SqliteJobQueue(db, clock);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SqliteJobQueue", () => {
  it("enqueues a job once per dedupe key, whatever state the first one is in", () => {
    const id = queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" });
    expect(id).toBeTypeOf("number");
    expect(queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" })).toBeNull();
    queue.claim(clock.now(), 10, LEASE);
    queue.complete(id!);
    expect(queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, dedupeKey: "expire:g1" })).toBeNull();
    // Jobs without a key are never deduplicated.
    expect(queue.enqueue({ kind: "notify", payload: {} })).not.toBeNull();
    expect(queue.enqueue({ kind: "notify", payload: {} })).not.toBeNull();
  });

  it("does not claim a job before its runAt and claims it at that moment", () => {
    const id = queue.enqueue({ kind: "expire", payload: { grantId: "g1" }, runAt: clock.now() + 5_000 })!;
    expect(queue.claim(clock.now() + 4_999, 10, LEASE)).toEqual([]);
    const [job] = queue.claim(clock.now() + 5_000, 10, LEASE);
    expect(job).toMatchObject({ id, state: "running", attempts: 1, leaseUntil: clock.now() + 5_000 + LEASE, payload: { grantId: "g1" } });
  });

  it("claims the earliest jobs first, up to the limit, filtered by kind", () => {
    const late = queue.enqueue({ kind: "a", payload: {}, runAt: 30 })!;
    const early = queue.enqueue({ kind: "a", payload: {}, runAt: 10 })!;
    queue.enqueue({ kind: "b", payload: {}, runAt: 0 });
    expect(queue.claim(100, 1, LEASE, ["a"]).map((j) => j.id)).toEqual([early]);
    expect(queue.claim(100, 5, LEASE, ["a"]).map((j) => j.id)).toEqual([late]);
    expect(queue.claim(100, 5, LEASE, [])).toEqual([]);
  });

  it("re-queues a failed job at the retry time computed by the backoff", () => {
    const id = queue.enqueue({ kind: "scim.remove", payload: {} })!;
    const [job] = queue.claim(clock.now(), 1, LEASE);
    const delay = backoffDelay(job!.attempts, { baseMs: 1_000, maxMs: 60_000, random: () => 0.5 });
    expect(delay).toBe(500);
    expect(queue.fail(id, "503 Service Unavailable", clock.now() + delay)).toBe("queued");
    expect(queue.get(id)).toMatchObject({ state: "queued", runAt: clock.now() + 500, lastError: "503 Service Unavailable", leaseUntil: null });
    expect(queue.claim(clock.now() + 499, 1, LEASE)).toEqual([]);

    const [second] = queue.claim(clock.now() + 500, 1, LEASE);
    expect(second?.attempts).toBe(2);
    const next = backoffDelay(second!.attempts, { baseMs: 1_000, maxMs: 60_000, random: () => 0.5 });
    expect(next).toBe(1_000);
    queue.fail(id, "503 again", clock.now() + 500 + next);
    expect(queue.get(id)?.runAt).toBe(clock.now() + 1_500);
  });

  it("buries a job as dead after maxAttempts failures, or at once when no retry is given", () => {
    const id = queue.enqueue({ kind: "notify", payload: {}, maxAttempts: 2 })!;
    queue.claim(clock.now(), 1, LEASE);
    expect(queue.fail(id, "boom", clock.now())).toBe("queued");
    queue.claim(clock.now(), 1, LEASE);
    expect(queue.fail(id, "boom", clock.now())).toBe("dead");
    expect(queue.claim(clock.now() + 1e9, 10, LEASE)).toEqual([]);

    const other = queue.enqueue({ kind: "notify", payload: {} })!;
    queue.claim(clock.now(), 1, LEASE);
    expect(queue.fail(other, "not retryable", null)).toBe("dead");
    expect(queue.get(other)?.lastError).toBe("not retryable");
  });

  it("keeps only the first 2000 characters of an error", () => {
    const id = queue.enqueue({ kind: "k", payload: {} })!;
    queue.claim(clock.now(), 1, LEASE);
    queue.fail(id, "x".repeat(10_000), clock.now());
    expect(queue.get(id)?.lastError?.length).toBe(MAX_ERROR_LENGTH);
  });

  it("re-claims a job whose worker crashed once its lease expires, and not before", () => {
    const id = queue.enqueue({ kind: "scim.remove", payload: { grantId: "g1" } })!;
    const [claimed] = queue.claim(clock.now(), 1, LEASE);
    expect(claimed?.id).toBe(id);
    db.close(); // the process dies without completing the job

    const restarted = openDatabase(join(dir, "grantbot.db"));
    try {
      const queue2 = new SqliteJobQueue(restarted, clock);
      expect(queue2.get(id)?.state).toBe("running");
      expect(queue2.claim(clock.now() + LEASE - 1, 10, LEASE)).toEqual([]);
      const [again] = queue2.claim(clock.now() + LEASE, 10, LEASE);
      expect(again).toMatchObject({ id, attempts: 2, state: "running", payload: { grantId: "g1" } });
      queue2.complete(id);
      expect(queue2.get(id)?.state).toBe("done");
    } finally {
      restarted.close();
    }
  });

  it("never gives the same job to two workers sharing the database file", () => {
    const ids = [1, 2, 3].map((n) => queue.enqueue({ kind: "k", payload: { n } })!);
    const other = openDatabase(join(dir, "grantbot.db"));
    try {
      const queue2 = new SqliteJobQueue(other, clock);
      const a = queue.claim(clock.now(), 2, LEASE).map((j) => j.id);
      const b = queue2.claim(clock.now(), 2, LEASE).map((j) => j.id);
      expect([...a, ...b].sort()).toEqual(ids);
      expect(b).toHaveLength(1);
    } finally {
      other.close();
    }
  });

  it("buries a crashed job that already used its last attempt instead of re-running it", () => {
    const id = queue.enqueue({ kind: "k", payload: {}, maxAttempts: 1 })!;
    queue.claim(clock.now(), 1, LEASE);
    expect(queue.claim(clock.now() + LEASE, 1, LEASE)).toEqual([]);
    expect(queue.get(id)).toMatchObject({ state: "dead", lastError: expect.stringMatching(/lease expired/) });
  });

  it("never runs two jobs with the same lock key at the same time", () => {
    const first = queue.enqueue({ kind: "scim", payload: { n: 1 }, lockKey: "aws:alice" })!;
    const second = queue.enqueue({ kind: "scim", payload: { n: 2 }, lockKey: "aws:alice" })!;
    const free = queue.enqueue({ kind: "scim", payload: { n: 3 }, lockKey: "aws:bob" })!;
    // One batch takes only one job per lock key.
    expect(queue.claim(clock.now(), 10, LEASE).map((j) => j.id)).toEqual([first, free]);
    // While the first holds the key, the second waits.
    expect(queue.claim(clock.now() + 1, 10, LEASE)).toEqual([]);
    queue.complete(first);
    expect(queue.claim(clock.now() + 1, 10, LEASE).map((j) => j.id)).toEqual([second]);
  });

  it("frees a lock key held by a crashed worker when its lease expires", () => {
    const stuck = queue.enqueue({ kind: "scim", payload: {}, lockKey: "k" })!;
    const waiting = queue.enqueue({ kind: "scim", payload: {}, lockKey: "k" })!;
    queue.claim(clock.now(), 10, LEASE);
    // After the lease, the earlier (crashed) job is taken again first; the other still waits.
    expect(queue.claim(clock.now() + LEASE, 10, LEASE).map((j) => j.id)).toEqual([stuck]);
    queue.complete(stuck);
    expect(queue.claim(clock.now() + LEASE, 10, LEASE).map((j) => j.id)).toEqual([waiting]);
  });

  it("claims across several kinds in runAt order, as one queue", () => {
    const b1 = queue.enqueue({ kind: "b", payload: {}, runAt: 5 })!;
    const a1 = queue.enqueue({ kind: "a", payload: {}, runAt: 10 })!;
    const c1 = queue.enqueue({ kind: "c", payload: {}, runAt: 1 })!;
    const b2 = queue.enqueue({ kind: "b", payload: {}, runAt: 20 })!;
    expect(queue.claim(100, 3, LEASE, ["a", "b"]).map((j) => j.id)).toEqual([b1, a1, b2]);
    expect(queue.claim(100, 3, LEASE).map((j) => j.id)).toEqual([c1]);
  });

  it("finds due jobs of one kind behind thousands of due jobs of other kinds", () => {
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) queue.enqueue({ kind: "notify", payload: { i }, runAt: i, lockKey: `grant:${i}` });
    })();
    const removal = queue.enqueue({ kind: "scim-remove", payload: {}, runAt: 5000, lockKey: "scim:aws:alice" })!;
    const busy = queue.enqueue({ kind: "scim-remove", payload: {}, runAt: 4000, lockKey: "scim:okta:bob" })!;
    // The busy target's job is left queued; the notifications are not read at all (index on kind).
    expect(queue.claim(6000, 10, LEASE, ["scim-remove"], ["scim:okta:"]).map((j) => j.id)).toEqual([removal]);
    expect(queue.get(busy)?.state).toBe("queued");
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${candidatesOfKindsSql(2)}`)
      .all({ now: 6000, exclude: null, window: 10, k0: "scim-remove", k1: "notify" }) as { detail: string }[];
    const scans = plan.map((r) => r.detail).filter((d) => /^(SEARCH|SCAN) j\b/.test(d));
    expect(scans).toHaveLength(2);
    for (const scan of scans) expect(scan).toMatch(/USING (COVERING )?INDEX jobs_kind_state_run_at \(kind=\? AND state=\? AND run_at<\?\)/);
  });

  it("reports when to wake up next: earliest queued runAt or running lease end", () => {
    expect(queue.nextWakeAt()).toBeNull();
    queue.enqueue({ kind: "a", payload: {}, runAt: clock.now() + 60_000 });
    const soon = queue.enqueue({ kind: "a", payload: {}, runAt: clock.now() + 100 })!;
    expect(queue.nextWakeAt()).toBe(clock.now() + 100);
    queue.claim(clock.now() + 100, 1, LEASE);
    expect(queue.nextWakeAt()).toBe(clock.now() + 100 + LEASE);
    queue.complete(soon);
    expect(queue.nextWakeAt()).toBe(clock.now() + 60_000);
  });

  it("counts queued and running jobs by kind and lists pending ones by dedupe key prefix", () => {
    queue.enqueue({ kind: "expire", payload: {}, dedupeKey: "expire:g1" });
    queue.enqueue({ kind: "expire", payload: {}, dedupeKey: "expire:g2", runAt: clock.now() + 1 });
    const done = queue.enqueue({ kind: "notify", payload: {}, dedupeKey: "notify:g1" })!;
    queue.claim(clock.now(), 10, LEASE, ["notify"]);
    expect(queue.depth()).toEqual({ expire: 2, notify: 1 });
    queue.complete(done);
    expect(queue.depth()).toEqual({ expire: 2 });
    expect(queue.pending("expire:").map((j) => j.dedupeKey)).toEqual(["expire:g1", "expire:g2"]);
    expect(queue.pending("EXPIRE:")).toEqual([]);
    expect(queue.pending()).toHaveLength(2);
  });

  it("prunes finished jobs last touched before a time", () => {
    const id = queue.enqueue({ kind: "a", payload: {} })!;
    queue.claim(clock.now(), 1, LEASE);
    queue.complete(id);
    expect(queue.pruneFinished(clock.now())).toBe(0);
    expect(queue.pruneFinished(clock.now() + 1)).toBe(1);
    expect(queue.get(id)).toBeNull();
  });
});
