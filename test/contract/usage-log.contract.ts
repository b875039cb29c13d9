/**
 * Contract of the usage log (UsageLog: `record` synchronous, the rest async), run on SQLite and
 * PostgreSQL by usage-log.test.ts. Ported from test/integration/sqlite-review-stores.test.ts, plus
 * several instances flushing their own increments for the same grants: counts add up, the first
 * use is the earliest and the last use the latest — nothing is overwritten.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { UsageLog } from "../../src/services/ports/index.ts";
import { rounds, type Opened, type Opener } from "./people-backends.ts";

export type UsageStores = { usage: AsyncPort<Omit<UsageLog, "record">> & Pick<UsageLog, "record"> };

export function usageLogContract(name: string, open: Opener<UsageStores>): void {
  describe(`usage log on ${name}`, () => {
    let s: Opened<UsageStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("aggregates uses in memory, merges them into the stored row on flush, and reads both", async () => {
      s.usage.record("g1", 50);
      s.usage.record("g1", 10);
      s.usage.record("g2", 30);
      expect(await s.usage.forGrants(["g1", "g2", "g3"])).toEqual(new Map([
        ["g1", { grantId: "g1", firstUse: 10, lastUse: 50, uses: 2 }],
        ["g2", { grantId: "g2", firstUse: 30, lastUse: 30, uses: 1 }],
      ]));
      expect(await s.usage.flush()).toBe(2);
      expect(await s.usage.flush()).toBe(0);
      s.usage.record("g1", 70);
      expect((await s.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 10, lastUse: 70, uses: 3 });
      await s.usage.flush();
      expect((await s.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 10, lastUse: 70, uses: 3 });
    });

    it("keeps an earlier first use and a later last use already stored", async () => {
      s.usage.record("g1", 1_760_000_000_000);
      s.usage.record("g1", 1_760_000_009_000);
      await s.usage.flush();
      s.usage.record("g1", 1_760_000_005_000);
      await s.usage.flush();
      expect((await s.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 1_760_000_000_000, lastUse: 1_760_000_009_000, uses: 3 });
    });

    it("answers repeated ids once and nothing for no ids", async () => {
      s.usage.record("g1", 5);
      await s.usage.flush();
      expect([...(await s.usage.forGrants(["g1", "g1", "nope"])).values()]).toEqual([{ grantId: "g1", firstUse: 5, lastUse: 5, uses: 1 }]);
      expect((await s.usage.forGrants([])).size).toBe(0);
    });

    it("counts every use exactly once while a flush is on its way to the database", async () => {
      for (let i = 0; i < 100; i++) s.usage.record(`g${i % 7}`, i);
      const flushing = s.usage.flush();
      s.usage.record("g0", 1000);
      const seen = await s.usage.forGrants(["g0", "g1"]);
      expect(await flushing).toBe(7);
      expect(seen.get("g0")).toEqual({ grantId: "g0", firstUse: 0, lastUse: 1000, uses: 16 });
      expect(seen.get("g1")?.uses).toBe(15);
    });

    it("adds up what two instances flush for the same grants at once", async () => {
      const other = await s.peer();
      try {
        const ids = Array.from({ length: 300 }, (_, i) => `g${String(i).padStart(3, "0")}`);
        const results = await rounds(10, (round) => {
          // Each instance has its own increments, recorded in opposite grant orders: with 300 grants,
          // writing rows in recording order (no common lock order) deadlocks on PostgreSQL.
          ids.forEach((id, i) => {
            s.usage.record(id, 1_000 + round * 100 + i);
            s.usage.record(id, 1_000 + round * 100 + i + 1);
          });
          [...ids].reverse().forEach((id, i) => other.usage.record(id, 5_000 + round * 100 + i));
          return [s.usage.flush(), other.usage.flush()];
        });
        expect(results.every(([a, b]) => a === 300 && b === 300)).toBe(true);
        const third = await s.peer();
        try {
          const stored = await third.usage.forGrants(ids);
          expect(stored.size).toBe(300);
          ids.forEach((id, i) => {
            expect(stored.get(id)).toEqual({ grantId: id, firstUse: 1_000 + i, lastUse: 5_000 + 900 + (299 - i), uses: 30 });
          });
        } finally {
          await third.close();
        }
      } finally {
        await other.close();
      }
    });

    it("shows one instance's stored uses to another, plus the other's own unflushed uses", async () => {
      const other = await s.peer();
      try {
        s.usage.record("g1", 10);
        await s.usage.flush();
        other.usage.record("g1", 20);
        expect((await other.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 10, lastUse: 20, uses: 2 });
        expect((await s.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 10, lastUse: 10, uses: 1 });
      } finally {
        await other.close();
      }
    });
  });
}
