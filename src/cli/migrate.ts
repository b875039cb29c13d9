/**
 * `grantbot migrate`: applies pending schema migrations without starting anything, and prints
 * what it applied. With GRANTBOT_DATABASE_URL: the PostgreSQL migrations, under the same advisory
 * lock instances take at start (so it is safe next to running instances, before a rolling
 * upgrade). Without it: the SQLite database in GRANTBOT_DATA_DIR (created when absent).
 * Only these two variables are read; the rest of the configuration is not needed.
 */
import { resolve } from "node:path";
import type { CliIO, Command } from "./io.ts";
import { migratePostgres, PG_MIGRATIONS } from "../adapters/postgres/migrations.ts";
import { PgDatabase } from "../adapters/postgres/pg-database.ts";
import { migrateDataDir } from "../adapters/sqlite/migrate-data-dir.ts";
import { databaseUrl } from "../config/database-fields.ts";
import { systemClock } from "../shared/clock.ts";
import { location, messageOf, redact } from "./database-url.ts";

export const migrateCommand: Command = async (args, io) => {
  if (args.length > 0) {
    io.stderr(`grantbot migrate: unexpected "${args.join(" ")}"\nusage: grantbot migrate   (GRANTBOT_DATABASE_URL, or GRANTBOT_DATA_DIR)\n`);
    return 1;
  }
  const url = io.env.GRANTBOT_DATABASE_URL?.trim();
  return url ? migratePg(url, io) : migrateSqlite(io);
};

async function migratePg(raw: string, io: CliIO): Promise<number> {
  const parsed = databaseUrl().safeParse(raw);
  if (!parsed.success) {
    io.stderr(`grantbot migrate: GRANTBOT_DATABASE_URL: ${parsed.error.issues[0]?.message ?? "invalid"}\n`);
    return 1;
  }
  const where = location(raw);
  const db = new PgDatabase(parsed.data.reveal(), { max: 1, applicationName: "grantbot migrate" });
  try {
    const { applied } = await migratePostgres(db);
    for (const version of applied) io.stdout(`applied PostgreSQL migration ${version} (${PG_MIGRATIONS[version - 1]?.name})\n`);
    const state = applied.length === 0 ? "is up to date at" : "is now at";
    io.stdout(`PostgreSQL database ${where} ${state} schema version ${PG_MIGRATIONS.length}\n`);
    return 0;
  } catch (error) {
    io.stderr(`grantbot migrate: PostgreSQL database ${where}: ${redact(messageOf(error), raw)}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

function migrateSqlite(io: CliIO): number {
  const dataDir = resolve(io.cwd, io.env.GRANTBOT_DATA_DIR?.trim() || "./data");
  try {
    const { path, applied, version } = migrateDataDir(dataDir, systemClock);
    for (const m of applied) io.stdout(`applied SQLite migration ${m.version} (${m.name})\n`);
    io.stdout(`SQLite database ${path} ${applied.length === 0 ? "is up to date at" : "is now at"} schema version ${version}\n`);
    return 0;
  } catch (error) {
    io.stderr(`grantbot migrate: SQLite database in ${dataDir}: ${messageOf(error)}\n`);
    return 1;
  }
}
