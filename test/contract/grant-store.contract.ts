/**
 * The GrantStore contract: what every implementation (SQLite, PostgreSQL) must do, including
 * under concurrent writers (another instance on the same database).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GrantEnd } from "../../src/services/ports/index.ts";
import { CHECK_VIOLATION, CONTRACT_NOW, grant, UNIQUE_VIOLATION, type CoreFixture, type OpenCore } from "./core-stores.ts";

const live = (id: string, overrides = {}) => grant(id, { state: "active", approvedBy: ["carol-gh"], approvedAt: 1, activatedAt: 2, expiresAt: 500, updatedAt: 2, ...overrides });
const expiry = (id: string, at = 700): GrantEnd => ({ id, from: "active", state: "expired", endedAt: at, endReason: "expired" });
const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));

export function grantStoreContract(name: string, open: OpenCore): void {
  describe(`GrantStore contract: ${name}`, () => {
    let s: CoreFixture;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("round-trips every field of a grant, including JSON fields", async () => {
      const g = grant("g1", {
        state: "active",
        prNumber: 7,
        approvedBy: ["carol-gh", "dave-gh"],
        activatedAt: 5_000,
        expiresAt: 9_000,
        access: { target: "aws", groups: ["prod-db-readonly", "prod-db-audit"] },
        credentialMessage: { channel: "D01", ts: "1700000000.000100" },
        owner: "svc-owner@example.com",
        policySha: "a".repeat(40),
      });
      await s.grants.insert(g);
      expect(await s.grants.get("g1")).toEqual(g);
      expect(await s.grants.getByPrNumber(7)).toEqual(g);
      expect(await s.grants.get("missing")).toBeNull();
      expect(await s.grants.getByPrNumber(8)).toBeNull();
    });

    it("keeps times beyond 32 bits and the optional fields absent when unset", async () => {
      const g = grant("g1", { requestedAt: 1_900_000_000_123, updatedAt: 1_900_000_000_123, durationMs: 90 * 86_400_000 });
      await s.grants.insert(g);
      const read = await s.grants.get("g1");
      expect(read).toEqual(g);
      expect(read).not.toHaveProperty("owner");
      expect(read).not.toHaveProperty("policySha");
    });

    it("refuses a second grant with the same id or PR number", async () => {
      await s.grants.insert(grant("g1", { prNumber: 7 }));
      await expect(s.grants.insert(grant("g1"))).rejects.toThrow(UNIQUE_VIOLATION);
      await expect(s.grants.insert(grant("g2", { prNumber: 7 }))).rejects.toThrow(UNIQUE_VIOLATION);
      expect(await s.grants.get("g2")).toBeNull();
    });

    it("applies an update only while the grant is in one of the expected states", async () => {
      await s.grants.insert(grant("g1"));
      expect(await s.grants.update("g1", ["requested"], { state: "pr_open", prNumber: 12 })).toBe(true);
      // The second writer of a race sees the state already moved and changes nothing.
      expect(await s.grants.update("g1", ["requested"], { state: "pr_open", prNumber: 13 })).toBe(false);
      expect(await s.grants.get("g1")).toMatchObject({ state: "pr_open", prNumber: 12, updatedAt: CONTRACT_NOW });
      expect(await s.grants.update("missing", ["requested"], { state: "pr_open" })).toBe(false);
      expect(await s.grants.update("g1", [], { state: "approved" })).toBe(false);
    });

    it("refuses an illegal state transition and leaves the grant unchanged", async () => {
      await s.grants.insert(grant("g1", { state: "pr_open" }));
      await expect(s.grants.update("g1", ["pr_open"], { state: "active", expiresAt: 5 })).rejects.toMatchObject({
        code: "invalid_transition",
        message: expect.stringMatching(/cannot go from pr_open to active/),
      });
      expect((await s.grants.get("g1"))?.state).toBe("pr_open");
    });

    it("refuses an unknown field or a new id and changes nothing", async () => {
      await s.grants.insert(grant("g1"));
      // PostgreSQL says bad_input; SQLite's grant-rows encodeField fails first with a TypeError.
      await expect(s.grants.update("g1", ["requested"], { colour: "red" } as never)).rejects.toThrow();
      await expect(s.grants.update("g1", ["requested"], { id: "g2" } as never)).rejects.toMatchObject({ code: "bad_input" });
      expect(await s.grants.get("g1")).toEqual(grant("g1"));
    });

    it("updates fields without a transition and takes updatedAt from the patch when given", async () => {
      await s.grants.insert(grant("g1", { state: "active", activatedAt: 1, expiresAt: 10 }));
      const message = { channel: "D01", ts: "1.2" };
      expect(await s.grants.update("g1", ["active"], { state: "active", credentialMessage: message, updatedAt: 42 })).toBe(true);
      expect(await s.grants.get("g1")).toMatchObject({ credentialMessage: message, updatedAt: 42 });
      expect(await s.grants.update("g1", ["active"], { credentialMessage: null, access: { target: "t", groups: [] } })).toBe(true);
      expect(await s.grants.get("g1")).toMatchObject({ credentialMessage: null, access: { target: "t", groups: [] }, updatedAt: CONTRACT_NOW });
    });

    it("rolls the update back with the surrounding transaction", async () => {
      await s.grants.insert(grant("g1"));
      await expect(
        s.transactor.transaction(async () => {
          await s.grants.update("g1", ["requested"], { state: "cancelled" });
          throw new Error("later step failed");
        }),
      ).rejects.toThrow("later step failed");
      expect((await s.grants.get("g1"))?.state).toBe("requested");
    });

    it("keeps the surrounding transaction usable after an update refused a transition", async () => {
      await s.grants.insert(grant("g1", { state: "pr_open" }));
      await s.grants.insert(grant("g2"));
      await s.transactor.transaction(async () => {
        await expect(s.grants.update("g1", ["pr_open"], { state: "expired" })).rejects.toMatchObject({ code: "invalid_transition" });
        expect(await s.grants.update("g2", ["requested"], { state: "cancelled" })).toBe(true);
      });
      expect((await s.grants.get("g1"))?.state).toBe("pr_open");
      expect((await s.grants.get("g2"))?.state).toBe("cancelled");
    });

    it("lists grants by state, by subject, and those due for expiry in expiry order", async () => {
      await s.grants.insert(grant("a", { state: "active", requestedAt: 3, activatedAt: 1, expiresAt: 300 }));
      await s.grants.insert(grant("b", { state: "active", requestedAt: 1, activatedAt: 1, expiresAt: 100 }));
      await s.grants.insert(grant("c", { state: "active", requestedAt: 2, activatedAt: 1, expiresAt: 200, subject: "bob@example.com" }));
      await s.grants.insert(grant("d", { state: "expired", requestedAt: 0 }));
      expect((await s.grants.listByState(["active"])).map((g) => g.id)).toEqual(["b", "c", "a"]);
      expect((await s.grants.listByState(["active", "expired"], 2)).map((g) => g.id)).toEqual(["d", "b"]);
      expect(await s.grants.listByState(["active"], 0)).toEqual([]);
      expect(await s.grants.listByState([])).toEqual([]);
      expect((await s.grants.listBySubject("bob@example.com", ["active"])).map((g) => g.id)).toEqual(["c"]);
      expect(await s.grants.listBySubject("bob@example.com", [])).toEqual([]);
      expect((await s.grants.listDueForExpiry(200, 10)).map((g) => g.id)).toEqual(["b", "c"]);
      expect((await s.grants.listDueForExpiry(1_000, 1)).map((g) => g.id)).toEqual(["b"]);
      expect(await s.grants.nextExpiry()).toBe(100);
      expect(await s.grants.countByState()).toEqual({
        requested: 0, pr_open: 0, approved: 0, active: 3, expired: 1, released: 0, revoked: 0, declined: 0, rejected: 0, cancelled: 0,
      });
    });

    it("breaks ties by id in byte order, whatever the database's collation", async () => {
      const ids = ["ab", "a-b", "B", "a", "a_b", "A"];
      for (const id of ids) await s.grants.insert(grant(id, { state: "active", requestedAt: 5, activatedAt: 1, expiresAt: 50 }));
      const byteOrder = [...ids].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect((await s.grants.listByState(["active"])).map((g) => g.id)).toEqual(byteOrder);
      expect((await s.grants.listBySubject("alice@example.com", ["active"])).map((g) => g.id)).toEqual(byteOrder);
      expect((await s.grants.listDueForExpiry(50, 100)).map((g) => g.id)).toEqual(byteOrder);
    });

    it("has no next expiry when no grant is active", async () => {
      await s.grants.insert(grant("x", { state: "expired", expiresAt: 5 }));
      expect(await s.grants.nextExpiry()).toBeNull();
    });

    it("never stores an active grant without an expiry", async () => {
      await expect(s.grants.insert(grant("g1", { state: "active", expiresAt: null }))).rejects.toThrow(CHECK_VIOLATION);
    });

    it("reads many grants at once: those that exist, each once", async () => {
      for (const id of ["a", "b", "c"]) await s.grants.insert(grant(id, { requestedAt: 7 }));
      expect(byId(await s.grants.getMany(["b", "missing", "a", "b"]))).toEqual([grant("a", { requestedAt: 7 }), grant("b", { requestedAt: 7 })]);
      expect(await s.grants.getMany(["missing"])).toEqual([]);
      expect(await s.grants.getMany([])).toEqual([]);
    });

    it("ends many grants at once, only those still in their expected state, and returns them as they are after", async () => {
      for (const id of ["a", "b", "c"]) await s.grants.insert(live(id));
      await s.grants.update("c", ["active"], { state: "released", endedAt: 300, endReason: "released", updatedAt: 300 });
      const ended = await s.grants.endMany([expiry("a"), expiry("b", 701), expiry("c"), expiry("missing")]);
      expect(byId(ended)).toEqual([
        live("a", { state: "expired", endedAt: 700, endReason: "expired", updatedAt: 700 }),
        live("b", { state: "expired", endedAt: 701, endReason: "expired", updatedAt: 701 }),
      ]);
      expect(await s.grants.get("a")).toEqual(ended.find((g) => g.id === "a"));
      expect(await s.grants.get("c")).toMatchObject({ state: "released", endedAt: 300, endReason: "released", updatedAt: 300 });
      expect(await s.grants.endMany([expiry("a")])).toEqual([]);
      expect(await s.grants.endMany([])).toEqual([]);
    });

    it("refuses a batch of ends with an illegal transition and changes no grant, not even the legal ones", async () => {
      await s.grants.insert(live("a"));
      await s.grants.insert(grant("r"));
      const illegal: GrantEnd = { id: "r", from: "requested", state: "expired", endedAt: 700, endReason: "expired" };
      await expect(s.grants.endMany([expiry("a"), illegal])).rejects.toMatchObject({
        code: "invalid_transition",
        message: expect.stringMatching(/cannot go from requested to expired/),
      });
      // Illegal even though no grant is in `from`: the batch is wrong, whatever the data.
      await expect(s.grants.endMany([expiry("a"), { ...illegal, id: "missing" }])).rejects.toMatchObject({ code: "invalid_transition" });
      expect(await s.grants.get("a")).toEqual(live("a"));
      expect(await s.grants.get("r")).toEqual(grant("r"));
    });

    it("ends a grant named twice in one batch once, by its first end", async () => {
      await s.grants.insert(live("a"));
      const ended = await s.grants.endMany([expiry("a", 700), { id: "a", from: "active", state: "revoked", endedAt: 800, endReason: "revoked" }]);
      expect(ended).toEqual([live("a", { state: "expired", endedAt: 700, endReason: "expired", updatedAt: 700 })]);
      expect(await s.grants.get("a")).toMatchObject({ state: "expired", endedAt: 700 });
      // The first end of an id decides, even when it no longer applies and a later one would.
      await s.grants.insert(live("b"));
      const stale: GrantEnd = { id: "b", from: "approved", state: "revoked", endedAt: 800, endReason: "revoked" };
      expect(await s.grants.endMany([stale, expiry("b")])).toEqual([]);
      expect(await s.grants.get("b")).toEqual(live("b"));
    });

    it("rolls a batch of ends back with the surrounding transaction", async () => {
      await s.grants.insert(live("a"));
      await expect(s.transactor.transaction(async () => {
        expect(await s.grants.endMany([expiry("a")])).toHaveLength(1);
        throw new Error("later step failed");
      })).rejects.toThrow("later step failed");
      expect(await s.grants.get("a")).toEqual(live("a"));
    });

    it("ends each grant exactly once when two instances end the same batch at once", async () => {
      const peer = await s.openPeer();
      try {
        const ids = Array.from({ length: 50 }, (_, i) => `batch-${String(i).padStart(2, "0")}`);
        for (const id of ids) await s.grants.insert(live(id));
        const revoke = (id: string): GrantEnd => ({ id, from: "active", state: "revoked", endedAt: 900, endReason: "revoked" });
        // The peer names the grants in the opposite order: neither may deadlock the other.
        const [mine, theirs] = await Promise.all([s.grants.endMany(ids.map((id) => expiry(id))), peer.grants.endMany([...ids].reverse().map(revoke))]);
        expect([...mine, ...theirs].map((g) => g.id).sort()).toEqual(ids);
        for (const g of mine) expect(await s.grants.get(g.id)).toMatchObject({ state: "expired", endedAt: 700 });
        for (const g of theirs) expect(await s.grants.get(g.id)).toMatchObject({ state: "revoked", endedAt: 900 });
      } finally {
        await peer.close();
      }
    });

    it("lists the grants of several subjects in request order, ties by id, filtered by state", async () => {
      const bob = { subject: "bob@example.com" };
      await s.grants.insert(live("a-b", { requestedAt: 5 }));
      await s.grants.insert(live("ab", { requestedAt: 5, ...bob }));
      await s.grants.insert(live("B", { requestedAt: 5, ...bob }));
      await s.grants.insert(grant("early", { requestedAt: 1, state: "approved", approvedAt: 1, ...bob }));
      await s.grants.insert(grant("ended", { requestedAt: 0, state: "expired" }));
      await s.grants.insert(live("carol", { requestedAt: 0, subject: "carol@example.com" }));
      const states = ["approved", "active"] as const;
      const listed = (await s.grants.listBySubjects(["alice@example.com", "bob@example.com", "nobody@example.com"], states)).map((g) => g.id);
      expect(listed).toEqual(["early", "B", "a-b", "ab"]);
      const one = (await s.grants.listBySubject("bob@example.com", states)).map((g) => g.id);
      expect(listed.filter((id) => one.includes(id))).toEqual(one);
      expect((await s.grants.listBySubjects(["alice@example.com"], ["expired"])).map((g) => g.id)).toEqual(["ended"]);
      expect(await s.grants.listBySubjects([], states)).toEqual([]);
      expect(await s.grants.listBySubjects(["alice@example.com"], [])).toEqual([]);
    });

    it("lets exactly one of two racing writers move each grant", async () => {
      const peer = await s.openPeer();
      try {
        const ids = Array.from({ length: 30 }, (_, i) => `race-${i}`);
        for (const id of ids) await s.grants.insert(grant(id, { state: "active", activatedAt: 1, expiresAt: 10 }));
        const results = await Promise.all(ids.flatMap((id) => [
          s.grants.update(id, ["active"], { state: "expired", endReason: "expired" }).then((won) => ({ id, won, by: "expired" })),
          peer.grants.update(id, ["active"], { state: "revoked", endReason: "revoked" }).then((won) => ({ id, won, by: "revoked" })),
        ]));
        for (const id of ids) {
          const winners = results.filter((r) => r.id === id && r.won);
          expect(winners, id).toHaveLength(1);
          expect(await s.grants.get(id)).toMatchObject({ state: winners[0]!.by, endReason: winners[0]!.by });
        }
      } finally {
        await peer.close();
      }
    });

    it("checks the transition against the state it changes, never a stale one", async () => {
      // pr_open -> declined is legal, approved -> declined is not: a writer that checked pr_open
      // must not then decline a grant another writer approved meanwhile.
      const peer = await s.openPeer();
      try {
        const ids = Array.from({ length: 30 }, (_, i) => `stale-${i}`);
        for (const id of ids) await s.grants.insert(grant(id, { state: "pr_open" }));
        const outcomes = await Promise.all(ids.map(async (id) => {
          const [decline, approve] = await Promise.allSettled([
            s.grants.update(id, ["pr_open", "approved"], { state: "declined" }),
            peer.grants.update(id, ["pr_open"], { state: "approved" }),
          ]);
          return { id, decline, approve };
        }));
        for (const { id, decline, approve } of outcomes) {
          const state = (await s.grants.get(id))?.state;
          if (state === "approved") {
            expect(approve).toEqual({ status: "fulfilled", value: true });
            expect(decline).toMatchObject({ status: "rejected", reason: { code: "invalid_transition" } });
          } else {
            expect(state).toBe("declined");
            expect(decline).toEqual({ status: "fulfilled", value: true });
            expect(approve).toEqual({ status: "fulfilled", value: false });
          }
        }
      } finally {
        await peer.close();
      }
    });
  });
}
