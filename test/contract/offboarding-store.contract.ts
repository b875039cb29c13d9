/**
 * Contract of offboarding cases (OffboardingStore, async shape), run on SQLite and PostgreSQL by
 * offboarding-store.test.ts. Ported from test/integration/sqlite-leaver-stores.test.ts, plus a
 * leaver reported to two instances at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { OffboardingCase, OffboardingStore } from "../../src/services/ports/index.ts";
import { rounds, type Opened, type Opener } from "./people-backends.ts";

export type OffboardingStores = { offboarding: AsyncPort<OffboardingStore> };

const kase = (over: Partial<OffboardingCase> = {}): OffboardingCase => ({
  id: "C1", email: "a@x.com", source: "poll", cause: "deactivated", startedAt: 1, revoked: ["G1"], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: null, ...over,
});

export function offboardingContract(name: string, open: Opener<OffboardingStores>): void {
  describe(`offboarding cases on ${name}`, () => {
    let s: Opened<OffboardingStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("allows one open case per person and patches only open cases", async () => {
      const store = s.offboarding;
      await store.insert(kase());
      await expect(store.insert(kase({ id: "C2" }))).rejects.toThrow(/unique/i);
      expect((await store.openFor("A@x.com"))?.id).toBe("C1");
      expect(await store.update("C1", { revoked: ["G1", "G2"], pendingNoticeAt: 5 })).toBe(true);
      expect(await store.update("C1", { completedAt: 9 })).toBe(true);
      expect(await store.update("C1", { orphans: ["G9"] })).toBe(false);
      expect(await store.get("C1")).toMatchObject({ revoked: ["G1", "G2"], pendingNoticeAt: 5, completedAt: 9, orphans: [] });
      expect(await store.openFor("a@x.com")).toBeNull();
      await store.insert(kase({ id: "C2", startedAt: 10 }));
      expect((await store.recent(5)).map((c) => c.id)).toEqual(["C2", "C1"]);
    });

    it("gives back every field as written", async () => {
      const c = kase({ cause: "pushed", source: "push", startedAt: 1_760_000_000_123, revoked: ["G1", "G2"], cancelled: ["G3"], orphans: ["G4"], pendingNoticeAt: 1_760_000_000_500 });
      await s.offboarding.insert(c);
      expect(await s.offboarding.get("C1")).toEqual(c);
      expect(await s.offboarding.get("C9")).toBeNull();
    });

    it("refuses a second case with the same id", async () => {
      await s.offboarding.insert(kase({ completedAt: 3 }));
      await expect(s.offboarding.insert(kase({ email: "b@x.com" }))).rejects.toThrow(/unique/i);
    });

    it("answers an empty patch with whether the case is open, changing nothing", async () => {
      await s.offboarding.insert(kase());
      expect(await s.offboarding.update("C1", {})).toBe(true);
      expect(await s.offboarding.update("C1", { revoked: undefined })).toBe(true);
      expect(await s.offboarding.update("missing", {})).toBe(false);
      expect(await s.offboarding.update("missing", { revoked: [] })).toBe(false);
      await s.offboarding.update("C1", { completedAt: 2 });
      expect(await s.offboarding.update("C1", {})).toBe(false);
      expect(await s.offboarding.get("C1")).toEqual(kase({ completedAt: 2 }));
    });

    it("refuses a patch of a field the port does not allow", async () => {
      await s.offboarding.insert(kase());
      await expect(s.offboarding.update("C1", { email: "b@x.com" } as never)).rejects.toThrow(/unknown offboarding case field email/);
      expect((await s.offboarding.get("C1"))?.email).toBe("a@x.com");
    });

    it("lists recent cases newest first, ties by id descending, up to the limit", async () => {
      await s.offboarding.insert(kase({ id: "A", email: "a@x.com", startedAt: 5, completedAt: 6 }));
      await s.offboarding.insert(kase({ id: "B", email: "b@x.com", startedAt: 5 }));
      await s.offboarding.insert(kase({ id: "C", email: "c@x.com", startedAt: 1 }));
      await s.offboarding.insert(kase({ id: "D", email: "d@x.com", startedAt: 9 }));
      expect((await s.offboarding.recent(3)).map((c) => c.id)).toEqual(["D", "B", "A"]);
      expect(await s.offboarding.recent(0)).toEqual([]);
    });

    it("opens one case when two instances offboard the same leaver at once", async () => {
      const other = await s.peer();
      try {
        const results = await rounds(10, (i) => {
          const email = `leaver${i}@x.com`;
          return [
            s.offboarding.insert(kase({ id: `P${i}`, email, source: "poll" })).then(() => "ok", (e: Error) => e.message),
            other.offboarding.insert(kase({ id: `Q${i}`, email, source: "push" })).then(() => "ok", (e: Error) => e.message),
          ];
        });
        for (const [i, pair] of results.entries()) {
          expect(pair.filter((r) => r === "ok"), `round ${i}: ${pair.join(" | ")}`).toHaveLength(1);
          expect(pair.find((r) => r !== "ok")).toMatch(/unique/i);
          expect((await s.offboarding.openFor(`leaver${i}@x.com`))?.source).toBe(pair[0] === "ok" ? "poll" : "push");
        }
        expect(await s.offboarding.recent(100)).toHaveLength(10);
      } finally {
        await other.close();
      }
    });

    it("completes a case once when two instances complete it at once", async () => {
      const other = await s.peer();
      try {
        for (let i = 0; i < 10; i++) await s.offboarding.insert(kase({ id: `R${i}`, email: `r${i}@x.com` }));
        const results = await rounds(10, (i) => [s.offboarding.update(`R${i}`, { completedAt: 100 + i }), other.offboarding.update(`R${i}`, { completedAt: 200 + i })]);
        for (const pair of results) expect(pair.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });
}
