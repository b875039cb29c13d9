/**
 * One leader per cluster: a session advisory lock on a dedicated connection. Exactly one of several
 * instances leads; when the leader's session dies another takes over at its next tick; close()
 * hands over.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { PgLeadership } from "../../src/adapters/postgres/pg-leadership.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

describeWithPostgres("PgLeadership", () => {
  let url: string;
  let admin: PgDatabase;
  let all: PgLeadership[];

  beforeEach(async () => {
    url = await freshDatabaseUrl("leader"); // the lock is per database: each test its own cluster
    admin = new PgDatabase(url, { max: 1 });
    all = [];
  });
  afterEach(async () => {
    await Promise.all(all.map((l) => l.close()));
    await admin.close();
  });

  function instance(name: string): { leadership: PgLeadership; changes: boolean[] } {
    const leadership = new PgLeadership({ url, applicationName: `grantbot:leader-test:${name}` });
    const changes: boolean[] = [];
    leadership.onChange((leader) => changes.push(leader));
    all.push(leadership);
    return { leadership, changes };
  }

  /** The backend pid holding the leader lock, as the server sees it. */
  async function holderName(): Promise<string | null> {
    const { rows } = await admin.query<{ name: string }>(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows.length === 1 ? rows[0]!.name : rows.length === 0 ? null : `several: ${rows.map((r) => r.name).join(",")}`;
  }

  it("makes exactly one of three instances the leader, however often they tick", async () => {
    const [a, b, c] = ["a", "b", "c"].map(instance);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([a!, b!, c!].map((i) => i.leadership.tick()));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    const leader = [a!, b!, c!].find((i) => i.leadership.isLeader)!;
    expect(leader.changes).toEqual([true]);
    expect([a!, b!, c!].filter((i) => i !== leader).map((i) => i.changes)).toEqual([[], []]);
    expect(await holderName()).toMatch(/^grantbot:leader-test:[abc]$/);
  });

  it("moves leadership to another instance at its next tick when the leader's session is killed", async () => {
    const a = instance("a");
    const b = instance("b");
    expect(await a.leadership.tick()).toBe(true);
    expect(await b.leadership.tick()).toBe(false);
    const { rows } = await admin.query<{ ok: boolean }>(
      "SELECT pg_terminate_backend(pid, 5000) AS ok FROM pg_stat_activity WHERE application_name = 'grantbot:leader-test:a'",
    );
    expect(rows).toEqual([{ ok: true }]);
    expect(await b.leadership.tick()).toBe(true);
    // The old leader learns it at once (connection error) or at the latest on its next tick.
    expect(await a.leadership.tick()).toBe(false);
    expect(a.leadership.isLeader).toBe(false);
    expect(a.changes).toEqual([true, false]);
    expect(await holderName()).toBe("grantbot:leader-test:b");
    // The old leader reconnected and now waits as a follower.
    expect(await a.leadership.tick()).toBe(false);
  });

  it("hands over on close(): the lock is released and the next tick elsewhere takes it", async () => {
    const a = instance("a");
    const b = instance("b");
    await a.leadership.tick();
    await b.leadership.tick();
    await a.leadership.close();
    expect(a.leadership.isLeader).toBe(false);
    expect(a.changes).toEqual([true, false]);
    expect(await holderName()).toBeNull();
    expect(await a.leadership.tick()).toBe(false); // closed stays closed
    expect(await b.leadership.tick()).toBe(true);
  });

  it("is not leader while the database cannot be reached, and leads once it can", async () => {
    const errors: Error[] = [];
    const unreachable = new PgLeadership({ url: url.replace(/:\d+\//, ":1/"), onError: (e) => errors.push(e), queryTimeoutMs: 1_000 });
    all.push(unreachable);
    expect(await unreachable.tick()).toBe(false);
    expect(errors.length).toBe(1);
    const a = instance("a");
    expect(await a.leadership.tick()).toBe(true);
  });

  it("shares one check between concurrent ticks", async () => {
    const a = instance("a");
    const [x, y] = await Promise.all([a.leadership.tick(), a.leadership.tick()]);
    expect([x, y]).toEqual([true, true]);
    const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'grantbot:leader-test:a'");
    expect(rows).toEqual([{ n: 1 }]);
  });
});
