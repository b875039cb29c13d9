/**
 * PgAuditLog's streamed reads (`records()`, `exportPgJsonLines`): the SQLite export's lines, from
 * one snapshot, and a pooled connection given back even when the reader stops early.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { openPgStore, type PgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import { exportPgJsonLines } from "../../src/adapters/postgres/pg-audit-log.ts";
import { GENESIS_HASH, rowHash } from "../../src/adapters/sqlite/audit-chain.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

let store: PgStore;
beforeEach(async () => {
  store = await openPgStore(await freshDatabaseUrl("audit_export"), { now: () => 0 }, { max: 2 });
});
afterEach(async () => {
  await store.close();
});

describeWithPostgres("PgAuditLog export", () => {
  it("writes one re-verifiable JSON line per row, keys sorted, over more than one page", async () => {
    await store.transactor.transaction(async () => {
      for (let i = 1; i <= 600; i++) await store.audit.append({ at: 1_000 * i, actor: "grantbot", action: "tick", grantId: i % 2 ? "g1" : null, data: { z: i, a: [i] } });
    });
    const lines: string[] = [];
    expect(await exportPgJsonLines(store.audit, (line) => void lines.push(line))).toBe(600);
    expect(lines.every((l) => l.endsWith("\n"))).toBe(true);
    const parsed = lines.map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string; atIso: string; data: object });
    expect(parsed[0]).toMatchObject({ seq: 1, atIso: "1970-01-01T00:00:01.000Z", prevHash: GENESIS_HASH, grantId: "g1" });
    expect(lines[0]).toContain('"data":{"a":[1],"z":1}');
    for (const record of parsed) expect(rowHash(record as never)).toBe(record.hash);
  });

  it("reads from one snapshot while others append, and gives its connection back when abandoned", async () => {
    await store.transactor.transaction(async () => {
      for (let i = 1; i <= 501; i++) await store.audit.append({ at: i, actor: "grantbot", action: "tick" });
    });
    let seen = 0;
    for await (const record of store.audit.records()) {
      seen++;
      // Appended after the first page was read, before the second: not part of this reading.
      if (record.seq === 1) await store.audit.append({ at: 9, actor: "grantbot", action: "during" });
    }
    expect(seen).toBe(501);
    for await (const record of store.audit.records()) if (record.seq === 3) break;
    // Pool of 2: had the abandoned iteration kept its client, these would queue behind it forever.
    const count = async (): Promise<number> => {
      let n = 0;
      for await (const _ of store.audit.all()) n++;
      return n;
    };
    const [all, verified] = await Promise.all([count(), store.audit.verify(), store.audit.forGrant("x")]);
    expect(all).toBe(502);
    expect(verified).toEqual({ ok: true, rows: 502, problems: [] });
    expect(store.db.pool.totalCount).toBeLessThanOrEqual(2);
  });
});
