import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, SqliteTransactor, type Db } from "../../src/adapters/sqlite/database.ts";
import { GENESIS_HASH, rowHash } from "../../src/adapters/sqlite/audit-chain.ts";
import { exportJsonLines, SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { asyncStore, SqliteAsyncTransactor } from "../../src/adapters/sqlite/async-sqlite.ts";

let db: Db;
let log: SqliteAuditLog;

function appendFive(): void {
  for (let i = 1; i <= 5; i++) {
    log.append({ at: 1_000 * i, actor: "grantbot", action: "grant.activated", grantId: `g${i % 2}`, data: { i, groups: ["prod"] } });
  }
}

beforeEach(() => {
  db = openDatabase(":memory:");
  log = new SqliteAuditLog(db);
});
afterEach(() => db.close());

describe("SqliteAuditLog", () => {
  it("chains each row to the previous one, starting from the genesis hash", () => {
    const first = log.appendRecord({ at: 1, actor: "alice@example.com", action: "grant.requested", grantId: "g1", data: { b: 1, a: 2 } });
    const second = log.appendRecord({ at: 2, actor: "github:carol-gh", action: "grant.approved" });
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, grantId: "g1" });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, grantId: null, data: {} });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    // The hash does not depend on key order.
    expect(rowHash({ ...first, grantId: "g1", data: { a: 2, b: 1 } })).toBe(first.hash);
  });

  it("verifies an untouched log, including an empty one", () => {
    expect(log.verify()).toEqual({ ok: true, rows: 0, problems: [] });
    appendFive();
    expect(log.verify()).toEqual({ ok: true, rows: 5, problems: [] });
  });

  it("lists all rows in order and the rows of one grant", () => {
    appendFive();
    expect([...log.all()].map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.forGrant("g1").map((r) => r.seq)).toEqual([1, 3, 5]);
  });

  it("blocks UPDATE and DELETE of audit rows with triggers", () => {
    appendFive();
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare("DELETE FROM audit_log WHERE seq = 5").run()).toThrow(/append-only/);
    expect(() => db.prepare("DELETE FROM audit_head").run()).toThrow(/cannot be deleted/);
    expect(() => db.prepare("UPDATE audit_head SET seq = 3").run()).toThrow(/can only advance/);
  });

  it("detects an edited row and names its seq", () => {
    appendFive();
    db.exec("DROP TRIGGER audit_log_no_update");
    db.prepare(`UPDATE audit_log SET data = '{"groups":["prod"],"i":99}' WHERE seq = 3`).run();
    const result = log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["seq 3: content does not match its hash (row edited)"]);
  });

  it("detects an edited row whose hash was recomputed, at the next row", () => {
    appendFive();
    db.exec("DROP TRIGGER audit_log_no_update");
    const row = [...log.all()][1]!;
    const forged = rowHash({ ...row, grantId: row.grantId ?? null, data: row.data ?? {}, actor: "mallory" });
    db.prepare("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = 2").run(forged);
    expect(log.verify().problems).toEqual([expect.stringMatching(/^seq 3: prev_hash does not match the hash of seq 2/)]);
  });

  it("detects a deleted row in the middle", () => {
    appendFive();
    db.exec("DROP TRIGGER audit_log_no_delete");
    db.prepare("DELETE FROM audit_log WHERE seq = 2").run();
    expect(log.verify()).toEqual({ ok: false, rows: 4, problems: ["seq 3: seq 2 is missing (row deleted)"] });
  });

  it("detects a deleted last row through audit_head", () => {
    appendFive();
    db.exec("DROP TRIGGER audit_log_no_delete");
    db.prepare("DELETE FROM audit_log WHERE seq = 5").run();
    const result = log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.stringMatching(/^seq 5: seq 5 is missing at the end of the log/)]);
  });

  it("keeps appending after tampering without hiding it", () => {
    appendFive();
    db.exec("DROP TRIGGER audit_log_no_delete");
    db.prepare("DELETE FROM audit_log WHERE seq = 5").run();
    expect(log.appendRecord({ at: 9, actor: "grantbot", action: "x" }).seq).toBe(6);
    expect(log.verify().problems).toEqual(["seq 6: seq 5 is missing (row deleted)"]);
  });

  it.each([
    ["a JWT", { token: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl" }],
    ["a Slack token", { note: "used xoxb-123456789012-abcdefABCDEF" }],
    ["a Slack user token", { nested: { list: ["xoxp-1234-5678-abcdef"] } }],
    ["a GitHub token", { t: "ghp_" + "a1B2".repeat(9) }],
    ["a GitHub app token", { t: "ghs_" + "Z9y8".repeat(9) }],
    ["a GitHub fine-grained token", { t: "github_pat_11ABCDEFG0123456789_abcdefghijklmnop" }],
    ["a PEM block", { key: "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----" }],
  ])("refuses to record %s and writes nothing", (_kind, data) => {
    expect(() => log.append({ at: 1, actor: "grantbot", action: "credential.issued", data })).toThrow(/secrets never go into the audit log/);
    expect(log.verify().rows).toBe(0);
  });

  it("accepts ordinary data that merely resembles token prefixes", () => {
    const data = { resource: "ghp-docs", scope: "db:read", jti: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", url: "https://github.com/acme/grants/pull/7" };
    expect(log.appendRecord({ at: 1, actor: "grantbot", action: "credential.issued", data }).data).toEqual(data);
  });

  it("rolls back an appended row with the caller's transaction", () => {
    const tx = new SqliteTransactor(db);
    expect(() =>
      tx.transaction(() => {
        log.append({ at: 1, actor: "grantbot", action: "grant.activated" });
        throw new Error("activation failed");
      }),
    ).toThrow("activation failed");
    expect(log.verify()).toEqual({ ok: true, rows: 0, problems: [] });
    expect(log.appendRecord({ at: 2, actor: "grantbot", action: "grant.activated" }).seq).toBe(1);
  });

  it("exports one JSON line per row that can be re-verified from the line alone", async () => {
    appendFive();
    const lines: string[] = [];
    expect(await exportJsonLines(asyncStore(log, new SqliteAsyncTransactor(db), ["all"]), (line) => lines.push(line))).toBe(5);
    expect(lines.every((l) => l.endsWith("\n"))).toBe(true);
    const parsed = lines.map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string; atIso: string });
    expect(parsed[0]).toMatchObject({ seq: 1, atIso: "1970-01-01T00:00:01.000Z", prevHash: GENESIS_HASH });
    for (const record of parsed) expect(rowHash(record as never)).toBe(record.hash);
  });

  it("reads a log longer than one page", () => {
    for (let i = 0; i < 1_234; i++) log.append({ at: i, actor: "grantbot", action: "tick" });
    expect(log.verify()).toMatchObject({ ok: true, rows: 1_234 });
  });
});
