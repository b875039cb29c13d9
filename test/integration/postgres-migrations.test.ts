/**
 * PostgreSQL migrations (src/adapters/postgres/migrations.ts): applied once under a session
 * advisory lock, each in its own transaction, refused on a database written by another build.
 */
import { afterEach, expect, it } from "vitest";
import { appliedPgMigrations, migratePostgres, PG_MIGRATIONS } from "../../src/adapters/postgres/migrations.ts";

const VERSIONS = PG_MIGRATIONS.map((m) => m.version);
const RECORDED = PG_MIGRATIONS.map(({ version, name }) => ({ version, name }));
const NEXT = PG_MIGRATIONS.length + 1;
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const opened: PgDatabase[] = [];
function pool(url: string): PgDatabase {
  const db = new PgDatabase(url, { max: 3 });
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

async function tables(db: PgDatabase): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return rows.map((r) => r.name);
}

describeWithPostgres("migratePostgres", () => {
  it("creates the whole schema on a fresh database and records every version", async () => {
    const db = pool(await freshDatabaseUrl("migrate"));
    expect(await appliedPgMigrations(db)).toEqual([]);
    expect(await migratePostgres(db)).toEqual({ applied: VERSIONS });
    expect(await appliedPgMigrations(db)).toEqual(RECORDED);
    expect(await tables(db)).toEqual(expect.arrayContaining(["grants", "deliveries", "credentials", "audit_log", "audit_head", "jobs", "signing_keys", "directory_people", "schema_migrations"]));
    const { rows } = await db.query<{ applied_at: number }>("SELECT applied_at FROM schema_migrations");
    expect(Math.abs(rows[0]!.applied_at - Date.now())).toBeLessThan(60_000);
  });

  it("does nothing the second time", async () => {
    const url = await freshDatabaseUrl("migrate");
    await migratePostgres(pool(url));
    expect(await migratePostgres(pool(url))).toEqual({ applied: [] });
    expect(await appliedPgMigrations(pool(url))).toEqual(RECORDED);
  });

  it("applies once when three instances start together, without an error", async () => {
    const url = await freshDatabaseUrl("migrate");
    const results = await Promise.all([pool(url), pool(url), pool(url)].map((db) => migratePostgres(db)));
    expect(results.map((r) => r.applied).sort()).toEqual([[], [], VERSIONS]);
    expect(await appliedPgMigrations(pool(url))).toEqual(RECORDED);
  });

  it("refuses a database written by a newer grantbot", async () => {
    const db = pool(await freshDatabaseUrl("migrate"));
    await migratePostgres(db);
    await db.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${NEXT}, 'from_the_future', 0)`);
    await expect(migratePostgres(db)).rejects.toMatchObject({
      code: "config_invalid",
      message: expect.stringMatching(new RegExp(`schema is version ${NEXT} but this grantbot only knows versions up to ${NEXT - 1}: it was written by a newer grantbot`)),
    });
  });

  it("refuses a database whose migration 1 has another name", async () => {
    const db = pool(await freshDatabaseUrl("migrate"));
    await db.query("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    await db.query("INSERT INTO schema_migrations VALUES (1, 'something_else', 0)");
    await expect(migratePostgres(db)).rejects.toMatchObject({
      code: "config_invalid",
      message: 'database migration 1 is "something_else" but this grantbot\'s migration 1 is "initial": the database was written by a different build of grantbot.',
    });
    expect(await tables(db)).toEqual(["schema_migrations"]);
  });

  it("leaves a failed migration unapplied and unrecorded, and the lock free", async () => {
    const url = await freshDatabaseUrl("migrate");
    const broken = [...PG_MIGRATIONS, { version: NEXT, name: "broken", sql: "CREATE TABLE half_done (x INT); SELECT 1 / 0;" }];
    await expect(migratePostgres(pool(url), broken)).rejects.toThrow(new RegExp(`migration ${NEXT} "broken" failed: division by zero`));
    const db = pool(url);
    expect(await appliedPgMigrations(db)).toEqual(RECORDED);
    expect(await tables(db)).not.toContain("half_done");
    const fixed = [...PG_MIGRATIONS, { version: NEXT, name: "broken", sql: "CREATE TABLE half_done (x INT);" }];
    expect(await migratePostgres(db, fixed)).toEqual({ applied: [NEXT] });
  });

  it("refuses a migration list with a gap before touching the database", async () => {
    const db = pool(await freshDatabaseUrl("migrate"));
    await expect(migratePostgres(db, [{ version: NEXT, name: "x", sql: "" }])).rejects.toThrow(/numbered 1..n/);
    expect(await tables(db)).toEqual([]);
  });
});
