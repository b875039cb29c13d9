/**
 * PgAuditLog joins a transaction's rows to the chain at its commit, so the chain's lock is held
 * for that moment only: a transaction that appended and is still working does not hold up other
 * instances' appends (with several instances, every job appends; holding the lock for whole
 * transactions serialized the cluster's work).
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { openPgStore, type PgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

let a: PgStore;
let b: PgStore;
beforeEach(async () => {
  const url = await freshDatabaseUrl("audit_deferred");
  a = await openPgStore(url, { now: () => 0 }, { max: 2 });
  b = await openPgStore(url, { now: () => 0 }, { max: 2 });
});
afterEach(async () => {
  await Promise.all([a.close(), b.close()]);
});

describeWithPostgres("PgAuditLog appends at commit", () => {
  it("lets another instance append and commit while a transaction that appended is still open", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const inside = new Promise<void>((resolve) => (appended = resolve));
    const long = a.transactor.transaction(async () => {
      await a.audit.append({ at: 1, actor: "grantbot", action: "long", grantId: "g1" });
      appended();
      await held;
    });
    await inside;
    // Completes while `long` is open: had the append taken the chain's lock, this would wait.
    await b.audit.append({ at: 2, actor: "grantbot", action: "other", grantId: "g2" });
    expect((await b.audit.forGrant("g2")).map((r) => r.seq)).toEqual([1]);
    release();
    await long;
    expect((await a.audit.forGrant("g1")).map((r) => [r.seq, r.action])).toEqual([[2, "long"]]);
    expect(await b.audit.verify()).toEqual({ ok: true, rows: 2, problems: [] });
  });

  it("writes nothing when the transaction rolls back after its rows were read (and so written)", async () => {
    await expect(
      a.transactor.transaction(async () => {
        await a.audit.append({ at: 1, actor: "grantbot", action: "x", grantId: "g1" });
        expect(await a.audit.forGrant("g1")).toHaveLength(1);
        throw new Error("later failure");
      }),
    ).rejects.toThrow("later failure");
    expect(await a.audit.verify()).toEqual({ ok: true, rows: 0, problems: [] });
  });
});
