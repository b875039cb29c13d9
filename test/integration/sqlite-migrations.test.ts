import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { appliedMigrations, LATEST_VERSION, migrate, MIGRATIONS, schemaVersion } from "../../src/adapters/sqlite/migrations.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "grantbot-migrations-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tables(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

describe("schema migrations", () => {
  it("creates every table on an empty database and records each version", () => {
    const db = openDatabase(join(dir, "grantbot.db"));
    expect(tables(db)).toEqual(
      expect.arrayContaining(["grants", "jobs", "deliveries", "credentials", "audit_log", "audit_head", "directory_people"]),
    );
    expect(appliedMigrations(db)).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    db.close();
  });

  it("sets WAL, full sync, foreign keys and a busy timeout on file databases", () => {
    const db = openDatabase(join(dir, "grantbot.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    db.close();
  });

  it("upgrades a version-1 database to the latest version and keeps its rows", () => {
    const path = join(dir, "grantbot.db");
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(old)).toBe(1);
    expect(tables(old)).not.toContain("directory_people");
    old
      .prepare(
        `INSERT INTO grants (id, resource, subject, requester, duration_ms, reason, requested_at, state,
           file_content, file_path, branch, updated_at)
         VALUES ('g1', 'prod-db', 'a@example.com', 'a@example.com', 3600000, 'INC-1', 1000, 'requested',
           'id: g1', 'grants/prod-db/g1.yaml', 'grant/g1', 1000)`,
      )
      .run();
    old.close();

    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(tables(db)).toContain("directory_people");
    expect(db.prepare("SELECT id, reason FROM grants").all()).toEqual([{ id: "g1", reason: "INC-1" }]);
    db.close();
  });

  it("is a no-op when the database is already current", () => {
    const path = join(dir, "grantbot.db");
    openDatabase(path).close();
    const db = openDatabase(path);
    const before = db.prepare("SELECT * FROM schema_migrations ORDER BY version").all();
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(db.prepare("SELECT * FROM schema_migrations ORDER BY version").all()).toEqual(before);
    expect(before).toHaveLength(LATEST_VERSION);
    db.close();
  });

  it("refuses a database written by a newer grantbot", () => {
    const path = join(dir, "grantbot.db");
    const db = new Database(path);
    migrate(db, [...MIGRATIONS, { version: LATEST_VERSION + 1, name: "from_the_future", sql: "CREATE TABLE future (x)" }]);
    db.close();
    expect(() => openDatabase(path)).toThrow(new RegExp(`schema is version ${LATEST_VERSION + 1} but this grantbot only knows versions up to ${LATEST_VERSION}`));
  });

  it("refuses a database whose recorded migration has a different name", () => {
    const db = new Database(":memory:");
    migrate(db, [{ version: 1, name: "something_else", sql: "CREATE TABLE t (x)" }]);
    expect(() => migrate(db)).toThrow(/migration 1 is "something_else"/);
  });

  it("rolls back a failing migration entirely and leaves the previous version recorded", () => {
    const db = new Database(":memory:");
    const broken = { version: 2, name: "broken", sql: "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);" };
    expect(() => migrate(db, [MIGRATIONS[0]!, broken])).toThrow(/no such table: nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain("half");
  });

  it("opens an in-memory database with the full schema", () => {
    const db = openDatabase(":memory:");
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    db.close();
  });
});
