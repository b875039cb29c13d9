/**
 * The AuditLog contract: one hash chain, append-only, tampering reported by verify() with the
 * same messages on every back end — also with several writers appending at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GENESIS_HASH, rowHash } from "../../src/adapters/sqlite/audit-chain.ts";
import type { CoreFixture, OpenCore } from "./core-stores.ts";
import type { AuditRecord } from "../../src/services/ports/index.ts";

export function auditLogContract(name: string, open: OpenCore): void {
  describe(`AuditLog contract: ${name}`, () => {
    let s: CoreFixture;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    async function appendFive(): Promise<void> {
      for (let i = 1; i <= 5; i++) {
        await s.audit.append({ at: 1_000 * i, actor: "grantbot", action: "grant.activated", grantId: `g${i % 2}`, data: { i, groups: ["prod"] } });
      }
    }
    const all = async () => {
      const rows: AuditRecord[] = [];
      for await (const r of s.audit.all()) rows.push(r);
      return rows;
    };

    it("chains each row to the previous one, starting from the genesis hash", async () => {
      await s.audit.append({ at: 1, actor: "alice@example.com", action: "grant.requested", grantId: "g1", data: { b: 1, a: 2 } });
      await s.audit.append({ at: 2, actor: "github:carol-gh", action: "grant.approved" });
      const [first, second] = (await all()) as [AuditRecord, AuditRecord];
      expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, grantId: "g1" });
      expect(second).toMatchObject({ seq: 2, prevHash: first.hash, grantId: null, data: {} });
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rowHash({ ...first, grantId: "g1", data: { a: 2, b: 1 } })).toBe(first.hash);
    });

    it("computes the same hashes as every other back end", async () => {
      // Pinned: a chain written on SQLite verifies on PostgreSQL after a copy, and vice versa.
      await s.audit.append({ at: 1_700_000_000_000, actor: "grantbot", action: "grant.activated", grantId: "g1", data: { z: [1, { y: null, x: "é" }], a: 1.5 } });
      const [r] = (await s.audit.forGrant("g1")) as [AuditRecord];
      expect(r.hash).toBe(rowHash({ seq: 1, at: 1_700_000_000_000, actor: "grantbot", action: "grant.activated", grantId: "g1", data: { a: 1.5, z: [1, { x: "é", y: null }] }, prevHash: GENESIS_HASH }));
      expect((await all())[0]).toEqual(r);
      expect(Object.keys((await all())[0]!.data!)).toEqual(["a", "z"]);
    });

    it("verifies an untouched log, including an empty one", async () => {
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 0, problems: [] });
      await appendFive();
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 5, problems: [] });
    });

    it("lists all rows in order and the rows of one grant", async () => {
      await appendFive();
      expect((await all()).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await s.audit.forGrant("g1")).map((r) => r.seq)).toEqual([1, 3, 5]);
      expect(await s.audit.forGrant("nobody")).toEqual([]);
    });

    it("blocks UPDATE and DELETE of audit rows and of the head", async () => {
      await appendFive();
      await expect(s.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).rejects.toThrow(/append-only/);
      await expect(s.exec("DELETE FROM audit_log WHERE seq = 5")).rejects.toThrow(/append-only/);
      await expect(s.exec("DELETE FROM audit_head")).rejects.toThrow(/cannot be deleted/);
      await expect(s.exec("UPDATE audit_head SET seq = 3")).rejects.toThrow(/can only advance/);
      await expect(s.exec(`INSERT INTO audit_log (seq, at, actor, action, prev_hash, hash) VALUES (9, 1, 'm', 'x', '${GENESIS_HASH}', 'h')`)).rejects.toThrow(/extend the chain/);
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 5, problems: [] });
    });

    it("detects an edited row and names its seq", async () => {
      await appendFive();
      await s.dropAuditGuards();
      await s.exec(`UPDATE audit_log SET data = '{"groups":["prod"],"i":99}' WHERE seq = 3`);
      expect(await s.audit.verify()).toEqual({ ok: false, rows: 5, problems: ["seq 3: content does not match its hash (row edited)"] });
    });

    it("detects an edited row whose hash was recomputed, at the next row", async () => {
      await appendFive();
      await s.dropAuditGuards();
      const row = (await all())[1]!;
      const forged = rowHash({ ...row, grantId: row.grantId ?? null, data: row.data ?? {}, actor: "mallory" });
      await s.exec(`UPDATE audit_log SET actor = 'mallory', hash = '${forged}' WHERE seq = 2`);
      expect((await s.audit.verify()).problems).toEqual([expect.stringMatching(/^seq 3: prev_hash does not match the hash of seq 2/)]);
    });

    it("detects a deleted row in the middle", async () => {
      await appendFive();
      await s.dropAuditGuards();
      await s.exec("DELETE FROM audit_log WHERE seq = 2");
      expect(await s.audit.verify()).toEqual({ ok: false, rows: 4, problems: ["seq 3: seq 2 is missing (row deleted)"] });
    });

    it("detects a deleted last row through audit_head", async () => {
      await appendFive();
      await s.dropAuditGuards();
      await s.exec("DELETE FROM audit_log WHERE seq = 5");
      expect((await s.audit.verify()).problems).toEqual([expect.stringMatching(/^seq 5: seq 5 is missing at the end of the log/)]);
    });

    it("detects rows appended behind grantbot's back and a replaced last row", async () => {
      await appendFive();
      await s.dropAuditGuards();
      const last = (await all())[4]!;
      await s.exec(`INSERT INTO audit_log (seq, at, actor, action, prev_hash, hash) VALUES (6, 1, 'm', 'x', '${last.hash}', 'h')`);
      expect((await s.audit.verify()).problems).toEqual([
        "seq 6: content does not match its hash (row edited)",
        "seq 6: rows after seq 5 were not appended by grantbot (audit_head says 5)",
      ]);
      await s.exec("DELETE FROM audit_log WHERE seq = 6");
      const forged = rowHash({ ...last, grantId: last.grantId ?? null, data: last.data ?? {}, actor: "mallory" });
      await s.exec(`UPDATE audit_log SET actor = 'mallory', hash = '${forged}' WHERE seq = 5`);
      expect((await s.audit.verify()).problems).toEqual(["seq 5: hash does not match audit_head (last row replaced)"]);
    });

    it("keeps appending after tampering without hiding it", async () => {
      await appendFive();
      await s.dropAuditGuards();
      await s.exec("DELETE FROM audit_log WHERE seq = 5");
      await s.audit.append({ at: 9, actor: "grantbot", action: "x" });
      expect((await all()).map((r) => r.seq)).toEqual([1, 2, 3, 4, 6]);
      expect((await s.audit.verify()).problems).toEqual(["seq 6: seq 5 is missing (row deleted)"]);
    });

    it.each([
      ["a JWT", { token: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl" }],
      ["a Slack token", { note: "used xoxb-123456789012-abcdefABCDEF" }],
      ["a GitHub token", { t: "ghp_" + "a1B2".repeat(9) }],
      ["a PEM block", { key: "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----" }],
    ])("refuses to record %s and writes nothing", async (_kind, data) => {
      await expect(s.audit.append({ at: 1, actor: "grantbot", action: "credential.issued", data })).rejects.toThrow(/secrets never go into the audit log/);
      expect((await s.audit.verify()).rows).toBe(0);
    });

    it("rolls back an appended row with the caller's transaction", async () => {
      await expect(
        s.transactor.transaction(async () => {
          await s.audit.append({ at: 1, actor: "grantbot", action: "grant.activated" });
          throw new Error("activation failed");
        }),
      ).rejects.toThrow("activation failed");
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 0, problems: [] });
      await s.audit.append({ at: 2, actor: "grantbot", action: "grant.activated" });
      expect((await all()).map((r) => [r.seq, r.at])).toEqual([[1, 2]]);
    });

    it("drops the rows of a rolled-back savepoint and keeps the rest of the transaction's, in order", async () => {
      await s.transactor.transaction(async () => {
        await s.audit.append({ at: 1, actor: "grantbot", action: "kept", grantId: "g1" });
        await expect(
          s.transactor.transaction(async () => {
            await s.audit.append({ at: 2, actor: "grantbot", action: "dropped", grantId: "g1" });
            // A read in the savepoint sees the transaction's rows so far (and writes them on PostgreSQL).
            expect((await s.audit.forGrant("g1")).map((r) => r.action)).toEqual(["kept", "dropped"]);
            throw new Error("this grant failed");
          }),
        ).rejects.toThrow("this grant failed");
        await s.audit.append({ at: 3, actor: "grantbot", action: "kept too", grantId: "g1" });
      });
      expect((await all()).map((r) => [r.seq, r.action])).toEqual([[1, "kept"], [2, "kept too"]]);
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 2, problems: [] });
    });

    it("reads a log longer than one page", async () => {
      await s.transactor.transaction(async () => {
        for (let i = 0; i < 1_234; i++) await s.audit.append({ at: i, actor: "grantbot", action: "tick" });
      });
      expect(await s.audit.verify()).toMatchObject({ ok: true, rows: 1_234 });
      expect((await all()).map((r) => r.seq)).toEqual(Array.from({ length: 1_234 }, (_, i) => i + 1));
    });

    it("keeps one chain when three writers append 50 rows each at once", async () => {
      const peers = [s, await s.openPeer(), await s.openPeer()];
      try {
        await Promise.all(peers.flatMap((p, w) => Array.from({ length: 50 }, (_, i) =>
          p.audit.append({ at: i, actor: `writer-${w}`, action: "tick", data: { w, i } }))));
        expect(await s.audit.verify()).toEqual({ ok: true, rows: 150, problems: [] });
        const rows = await all();
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
        for (let w = 0; w < 3; w++) expect(rows.filter((r) => r.actor === `writer-${w}`)).toHaveLength(50);
      } finally {
        await Promise.all(peers.slice(1).map((p) => p.close()));
      }
    });

    it("chains transactions in the order they commit, whichever appended first", async () => {
      const peer = await s.openPeer();
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let appended!: () => void;
        const first = new Promise<void>((resolve) => (appended = resolve));
        const slow = s.transactor.transaction(async () => {
          await s.audit.append({ at: 1, actor: "grantbot", action: "slow" });
          appended();
          await held;
        });
        await first;
        const fast = peer.audit.append({ at: 2, actor: "grantbot", action: "fast" });
        await new Promise((resolve) => setTimeout(resolve, 50));
        release();
        await Promise.all([slow, fast]);
        const rows = await all();
        // SQLite has one writer: the fast append waits for the slow transaction and comes second.
        // PostgreSQL chains at commit: the fast append commits first. Either way, one chain.
        expect(rows.map((r) => r.action).sort()).toEqual(["fast", "slow"]);
        expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
        expect(await s.audit.verify()).toEqual({ ok: true, rows: 2, problems: [] });
      } finally {
        await peer.close();
      }
    });

    it("verifies while other writers append, without reporting their rows as tampering", async () => {
      await appendFive();
      const peer = await s.openPeer();
      try {
        const writes = Promise.all(Array.from({ length: 60 }, (_, i) => peer.audit.append({ at: i, actor: "grantbot", action: "tick" })));
        const checks = await Promise.all(Array.from({ length: 5 }, () => s.audit.verify()));
        await writes;
        for (const check of checks) expect(check).toMatchObject({ ok: true, problems: [] });
        expect(await s.audit.verify()).toEqual({ ok: true, rows: 65, problems: [] });
      } finally {
        await peer.close();
      }
    });
  });
}
