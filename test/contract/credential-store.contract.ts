/**
 * The CredentialStore contract: idempotent inserts, only for stored grants, and a revocation that
 * counts each credential once even when two instances revoke the same grant at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { activeGrant, credential, FOREIGN_KEY_VIOLATION, type CoreFixture, type OpenCore } from "./core-stores.ts";

export function credentialStoreContract(name: string, open: OpenCore): void {
  describe(`CredentialStore contract: ${name}`, () => {
    let s: CoreFixture;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("round-trips a credential and answers null for an unknown jti", async () => {
      await s.grants.insert(activeGrant("g1"));
      const c = credential("j1", "g1", { issuedAt: 1_900_000_000_001, expiresAt: 1_900_000_060_001, revokedAt: null });
      await s.credentials.insert(c);
      expect(await s.credentials.get("j1")).toEqual(c);
      expect(await s.credentials.get("nope")).toBeNull();
      expect(await s.credentials.forGrant("nobody")).toEqual([]);
    });

    it("revokes every unrevoked credential of a grant once and reports how many", async () => {
      await s.grants.insert(activeGrant("g1"));
      await s.grants.insert(activeGrant("g2"));
      await s.credentials.insert(credential("j1", "g1"));
      await s.credentials.insert(credential("j2", "g1", { issuedAt: 3 }));
      await s.credentials.insert(credential("j3", "g1", { revokedAt: 1 }));
      await s.credentials.insert(credential("j4", "g2"));
      expect(await s.credentials.revokeForGrant("g1", 100)).toBe(2);
      expect(await s.credentials.revokeForGrant("g1", 200)).toBe(0);
      expect((await s.credentials.forGrant("g1")).map((c) => [c.jti, c.revokedAt])).toEqual([["j1", 100], ["j3", 1], ["j2", 100]]);
      expect((await s.credentials.get("j4"))?.revokedAt).toBeNull();
    });

    it("lists a grant's credentials in issue order, ties by jti in byte order", async () => {
      await s.grants.insert(activeGrant("g1"));
      for (const jti of ["b", "B", "a-1", "a1", "A"]) await s.credentials.insert(credential(jti, "g1", { issuedAt: 7 }));
      expect((await s.credentials.forGrant("g1")).map((c) => c.jti)).toEqual(["A", "B", "a-1", "a1", "b"]);
    });

    it("ignores a second insert of the same jti", async () => {
      await s.grants.insert(activeGrant("g1"));
      await s.credentials.insert(credential("j1", "g1"));
      await s.credentials.insert(credential("j1", "g1", { scope: "db:write" }));
      expect((await s.credentials.get("j1"))?.scope).toBe("db:read");
    });

    it("refuses a credential for a grant that does not exist", async () => {
      await expect(s.credentials.insert(credential("j1", "ghost"))).rejects.toThrow(FOREIGN_KEY_VIOLATION);
      expect(await s.credentials.get("j1")).toBeNull();
    });

    it("commits a credential with its grant or not at all", async () => {
      await expect(s.transactor.transaction(async () => {
        await s.grants.insert(activeGrant("g1"));
        await s.credentials.insert(credential("j1", "g1"));
        throw new Error("DM failed before commit");
      })).rejects.toThrow("DM failed before commit");
      expect(await s.grants.get("g1")).toBeNull();
      expect(await s.credentials.get("j1")).toBeNull();
    });

    async function twentyGrantsOfThreeCredentials(): Promise<string[]> {
      const grants = Array.from({ length: 20 }, (_, i) => `g${i}`);
      for (const g of grants) {
        await s.grants.insert(activeGrant(g));
        for (let j = 0; j < 3; j++) await s.credentials.insert(credential(`${g}-j${j}`, g));
      }
      return grants;
    }
    async function expectEachRevokedOnce(grants: string[]): Promise<void> {
      for (const g of grants) {
        for (const c of await s.credentials.forGrant(g)) expect([100, 200], c.jti).toContain(c.revokedAt);
      }
    }

    it("counts each credential once when two instances revoke the same grants at once", async () => {
      const peer = await s.openPeer();
      try {
        const grants = await twentyGrantsOfThreeCredentials();
        const counts = await Promise.all(grants.flatMap((g) => [s.credentials.revokeForGrant(g, 100), peer.credentials.revokeForGrant(g, 200)]));
        for (let i = 0; i < grants.length; i++) expect(counts[2 * i]! + counts[2 * i + 1]!).toBe(3);
        await expectEachRevokedOnce(grants);
      } finally {
        await peer.close();
      }
    });

    it("revokes the credentials of many grants at once and reports how many per grant", async () => {
      for (const g of ["g1", "g2", "g3"]) await s.grants.insert(activeGrant(g));
      await s.credentials.insert(credential("j1", "g1"));
      await s.credentials.insert(credential("j2", "g1", { issuedAt: 3 }));
      await s.credentials.insert(credential("j3", "g1", { revokedAt: 1 }));
      await s.credentials.insert(credential("j4", "g2"));
      await s.credentials.insert(credential("j5", "g3", { revokedAt: 1 }));
      await s.grants.insert(activeGrant("g4"));
      await s.credentials.insert(credential("j6", "g4"));
      const counts = await s.credentials.revokeForGrants(["g1", "g2", "g3", "ghost", "g1"], 100);
      expect(counts).toEqual(new Map([["g1", 2], ["g2", 1]]));
      expect(await s.credentials.revokeForGrants(["g1", "g2", "g3"], 200)).toEqual(new Map());
      expect(await s.credentials.revokeForGrants([], 200)).toEqual(new Map());
      expect((await s.credentials.forGrant("g1")).map((c) => [c.jti, c.revokedAt])).toEqual([["j1", 100], ["j3", 1], ["j2", 100]]);
      expect((await s.credentials.get("j4"))?.revokedAt).toBe(100);
      expect((await s.credentials.get("j5"))?.revokedAt).toBe(1);
      expect((await s.credentials.get("j6"))?.revokedAt).toBeNull();
    });

    it("counts each credential once when two instances revoke the same batch of grants at once", async () => {
      const peer = await s.openPeer();
      try {
        const grants = await twentyGrantsOfThreeCredentials();
        const [mine, theirs] = await Promise.all([s.credentials.revokeForGrants(grants, 100), peer.credentials.revokeForGrants([...grants].reverse(), 200)]);
        for (const g of grants) expect((mine.get(g) ?? 0) + (theirs.get(g) ?? 0), g).toBe(3);
        await expectEachRevokedOnce(grants);
      } finally {
        await peer.close();
      }
    });
  });
}
