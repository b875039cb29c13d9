/**
 * Contract of break-glass records (BreakglassStore, async shape), run on SQLite and PostgreSQL by
 * breakglass-store.test.ts: every once-only write reports whether it changed the row (so a re-run
 * job does nothing), and when two instances race the same compare-and-set exactly one wins.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { BreakglassRecord, BreakglassStore } from "../../src/services/ports/breakglass.ts";
import { rounds, type Opened, type Opener } from "./people-backends.ts";

export type BreakglassStores = { breakglass: AsyncPort<BreakglassStore> };

type NewRecord = Parameters<BreakglassStore["insert"]>[0];
const record = (grantId: string, over: Partial<NewRecord> = {}): NewRecord => ({
  grantId, resource: "prod-db", subject: "alice@example.com", reviewWithinMs: 86_400_000, channels: ["C0SEC00001"], createdAt: 1, ...over,
});

export function breakglassContract(name: string, open: Opener<BreakglassStores>): void {
  describe(`break-glass records on ${name}`, () => {
    let s: Opened<BreakglassStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });
    const add = async (grantId: string, over: Partial<NewRecord> = {}) => {
      await s.seedGrant(grantId);
      await s.breakglass.insert(record(grantId, over));
    };

    it("stores a new record as pending, with nothing set yet, and refuses a second one for the grant", async () => {
      await add("G1", { createdAt: 1_760_000_000_123 });
      expect(await s.breakglass.get("G1")).toEqual({
        ...record("G1", { createdAt: 1_760_000_000_123 }),
        activatedAt: null, reviewDeadline: null, announcedAt: null, status: "pending", reviewedAt: null, approvers: [], escalations: 0,
      } satisfies BreakglassRecord);
      await expect(s.breakglass.insert(record("G1"))).rejects.toThrow();
      expect(await s.breakglass.get("G2")).toBeNull();
    });

    it("refuses a record for a grant that does not exist", async () => {
      await expect(s.breakglass.insert(record("nope"))).rejects.toThrow();
      expect(await s.breakglass.get("nope")).toBeNull();
    });

    it("sets the activation and its review deadline once, and the announcement once", async () => {
      await add("G1");
      expect(await s.breakglass.markActivated("G1", 10, 86_400_010)).toBe(true);
      expect(await s.breakglass.markActivated("G1", 20, 86_400_020)).toBe(false);
      expect(await s.breakglass.markAnnounced("G1", 11)).toBe(true);
      expect(await s.breakglass.markAnnounced("G1", 12)).toBe(false);
      expect(await s.breakglass.markActivated("missing", 1, 2)).toBe(false);
      expect(await s.breakglass.markAnnounced("missing", 1)).toBe(false);
      expect(await s.breakglass.get("G1")).toMatchObject({ activatedAt: 10, reviewDeadline: 86_400_010, announcedAt: 11 });
    });

    it("records a review outcome only from the given statuses, keeping the approvers when none are given", async () => {
      await add("G1");
      expect(await s.breakglass.setStatus("G1", [], { status: "reviewed", reviewedAt: 5 })).toBe(false);
      expect(await s.breakglass.setStatus("G1", ["rejected"], { status: "reviewed", reviewedAt: 5 })).toBe(false);
      expect(await s.breakglass.setStatus("G1", ["pending"], { status: "unreviewed_merge", reviewedAt: 5, approvers: ["carol-gh"] })).toBe(true);
      expect(await s.breakglass.get("G1")).toMatchObject({ status: "unreviewed_merge", reviewedAt: 5, approvers: ["carol-gh"] });
      expect(await s.breakglass.setStatus("G1", ["pending", "unreviewed_merge"], { status: "reviewed", reviewedAt: 9 })).toBe(true);
      expect(await s.breakglass.get("G1")).toMatchObject({ status: "reviewed", reviewedAt: 9, approvers: ["carol-gh"] });
      expect(await s.breakglass.setStatus("G1", ["reviewed"], { status: "rejected", reviewedAt: 10, approvers: [] })).toBe(true);
      expect(await s.breakglass.get("G1")).toMatchObject({ status: "rejected", approvers: [] });
      expect(await s.breakglass.setStatus("missing", ["pending"], { status: "reviewed", reviewedAt: 1 })).toBe(false);
    });

    it("counts each escalation once, only in order", async () => {
      await add("G1");
      expect(await s.breakglass.recordEscalation("G1", 1)).toBe(false);
      expect(await s.breakglass.recordEscalation("G1", 0)).toBe(true);
      expect(await s.breakglass.recordEscalation("G1", 0)).toBe(false);
      expect(await s.breakglass.recordEscalation("G1", 1)).toBe(true);
      expect((await s.breakglass.get("G1"))?.escalations).toBe(2);
    });

    it("lists a person's overdue, unreviewed records on a resource, earliest deadline first", async () => {
      await add("late", { createdAt: 1 });
      await add("later", { createdAt: 2 });
      await add("reviewed", { createdAt: 3 });
      await add("future", { createdAt: 4 });
      await add("other-resource", { resource: "other" });
      await add("other-person", { subject: "bob@example.com" });
      await add("not-activated");
      for (const [id, deadline] of [["late", 50], ["later", 100], ["reviewed", 10], ["future", 101], ["other-resource", 10], ["other-person", 10]] as const) {
        await s.breakglass.markActivated(id, 0, deadline);
      }
      await s.breakglass.setStatus("later", ["pending"], { status: "rejected", reviewedAt: 1 });
      await s.breakglass.setStatus("reviewed", ["pending"], { status: "reviewed", reviewedAt: 1 });
      expect((await s.breakglass.overdue("alice@example.com", "prod-db", 100)).map((r) => r.grantId)).toEqual(["late", "later"]);
      expect((await s.breakglass.overdue("alice@example.com", "prod-db", 49)).map((r) => r.grantId)).toEqual([]);
    });

    it("lists pending records oldest first, up to the limit", async () => {
      await add("c", { createdAt: 3 });
      await add("b", { createdAt: 1 });
      await add("a", { createdAt: 1 });
      await add("done", { createdAt: 0 });
      await s.breakglass.setStatus("done", ["pending"], { status: "reviewed", reviewedAt: 1 });
      expect((await s.breakglass.pending(10)).map((r) => r.grantId)).toEqual(["a", "b", "c"]);
      expect((await s.breakglass.pending(2)).map((r) => r.grantId)).toEqual(["a", "b"]);
    });

    it("lets exactly one of two instances record a review outcome raced on the same record", async () => {
      const other = await s.peer();
      try {
        for (let i = 0; i < 15; i++) await add(`R${i}`);
        const results = await rounds(15, (i) => [
          s.breakglass.setStatus(`R${i}`, ["pending"], { status: "reviewed", reviewedAt: 1, approvers: ["carol-gh"] }),
          other.breakglass.setStatus(`R${i}`, ["pending"], { status: "unreviewed_merge", reviewedAt: 2, approvers: [] }),
        ]);
        for (const [i, [mine, theirs]] of results.entries()) {
          expect([mine, theirs].filter(Boolean), `round ${i}`).toHaveLength(1);
          const stored = await s.breakglass.get(`R${i}`);
          expect(stored?.status).toBe(mine ? "reviewed" : "unreviewed_merge");
          expect(stored?.approvers).toEqual(mine ? ["carol-gh"] : []);
        }
      } finally {
        await other.close();
      }
    });

    it("lets exactly one of two instances set the activation, and count an escalation, raced on the same record", async () => {
      const other = await s.peer();
      try {
        for (let i = 0; i < 10; i++) await add(`A${i}`);
        const activations = await rounds(10, (i) => [s.breakglass.markActivated(`A${i}`, 1, 10), other.breakglass.markActivated(`A${i}`, 2, 20)]);
        const escalations = await rounds(10, (i) => [s.breakglass.recordEscalation(`A${i}`, 0), other.breakglass.recordEscalation(`A${i}`, 0)]);
        const announcements = await rounds(10, (i) => [s.breakglass.markAnnounced(`A${i}`, 1), other.breakglass.markAnnounced(`A${i}`, 2)]);
        for (const pair of [...activations, ...escalations, ...announcements]) expect(pair.filter(Boolean)).toHaveLength(1);
        for (let i = 0; i < 10; i++) expect((await s.breakglass.get(`A${i}`))?.escalations).toBe(1);
      } finally {
        await other.close();
      }
    });
  });
}
