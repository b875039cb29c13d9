/**
 * Numbered PostgreSQL schema migrations, with the rules of the SQLite runner
 * (src/adapters/sqlite/migrations.ts): each is applied once, in order, in its own transaction that
 * also records it in `schema_migrations`, so a crash mid-migration leaves the previous version and
 * applying twice is a no-op; a database written by a newer grantbot, or whose recorded name for a
 * version differs from this code's, is refused.
 *
 * Several instances may start together on one database: the runner holds a session advisory lock
 * on one dedicated connection from the first read of `schema_migrations` to the last commit, so
 * the others wait and then find nothing left to apply.
 *
 * Rules for adding one: append with the next version number; never edit or renumber a migration
 * that has shipped. Version 1 is the whole schema of the first PostgreSQL release.
 */
import type pg from "pg";
import { AppError } from "../../domain/errors.ts";
import type { PgDatabase } from "./pg-database.ts";
import { PG_SCHEMA_CORE } from "./schema-core.ts";
import { PG_SCHEMA_JOB_FUNCTIONS } from "./pg-job-queue-sql.ts";
import { PG_SCHEMA_JOBS } from "./schema-jobs.ts";
import { PG_SCHEMA_KEYS } from "./schema-keys.ts";
import { PG_SCHEMA_PEOPLE } from "./schema-people.ts";

export interface PgMigration {
  version: number;
  name: string;
  /** One or more statements, run as one simple query inside the migration's transaction. */
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: "initial", sql: [PG_SCHEMA_CORE, PG_SCHEMA_PEOPLE, PG_SCHEMA_JOBS, PG_SCHEMA_KEYS].join("\n") },
  { version: 2, name: "job claim and completion functions", sql: PG_SCHEMA_JOB_FUNCTIONS },
];

/** The schema version this code writes. */
export const PG_LATEST_VERSION = PG_MIGRATIONS.length;

/** The name of the session advisory lock the runner holds (hashed to a bigint by PostgreSQL). */
export const MIGRATION_LOCK = "grantbot.migrate";

const TRACKING_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

type Recorded = { version: number; name: string };

/** Versions recorded in the database, ascending (empty for a fresh database or one never migrated). */
export async function appliedPgMigrations(db: Pick<PgDatabase, "query">): Promise<Recorded[]> {
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return [];
  const { rows } = await db.query<Recorded>("SELECT version, name FROM schema_migrations ORDER BY version");
  return rows;
}

/**
 * Applies the missing migrations of `migrations` (numbered 1..n without gaps) and returns the
 * versions it applied (empty when the database was up to date). Throws a `config_invalid`
 * AppError when the database is newer than the code (a downgrade) or an applied migration's name
 * differs from the code's (a different build).
 */
export async function migratePostgres(db: PgDatabase, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<{ applied: number[] }> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n; found ${m.version} at index ${i}`);
  });
  const client = await db.pool.connect();
  let broken = false;
  try {
    await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [MIGRATION_LOCK]);
    try {
      return { applied: await applyMissing(client, migrations) };
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [MIGRATION_LOCK]).catch(() => {
        broken = true; // the session is gone, and its lock with it
      });
    }
  } catch (error) {
    if (isConnectionError(error)) broken = true;
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Runs under the migration lock, on its connection. */
async function applyMissing(client: pg.PoolClient, migrations: readonly PgMigration[]): Promise<number[]> {
  await client.query(TRACKING_TABLE);
  const { rows: recorded } = await client.query<Recorded>("SELECT version, name FROM schema_migrations ORDER BY version");
  refuseForeign(recorded, migrations);
  const newest = recorded.at(-1)?.version ?? 0;
  const applied: number[] = [];
  for (const migration of migrations.slice(newest)) {
    await client.query("BEGIN");
    try {
      await client.query(migration.sql);
      await client.query(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
        [migration.version, migration.name],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw new AppError("internal", `PostgreSQL migration ${migration.version} "${migration.name}" failed: ${messageOf(error)}`, { cause: error });
    }
    applied.push(migration.version);
  }
  return applied;
}

/** The SQLite runner's checks, with the same messages. */
function refuseForeign(recorded: readonly Recorded[], migrations: readonly PgMigration[]): void {
  const known = migrations.length;
  const newest = recorded.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new AppError(
      "config_invalid",
      `the database schema is version ${newest} but this grantbot only knows versions up to ${known}: ` +
        `it was written by a newer grantbot. Upgrade grantbot (or restore a backup taken before the upgrade).`,
    );
  }
  for (const row of recorded) {
    const expected = migrations[row.version - 1];
    if (expected && expected.name !== row.name) {
      throw new AppError(
        "config_invalid",
        `database migration ${row.version} is "${row.name}" but this grantbot's migration ${row.version} is ` +
          `"${expected.name}": the database was written by a different build of grantbot.`,
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors after which the connection must not go back to the pool (no SQLSTATE: a socket error). */
function isConnectionError(error: unknown): boolean {
  if (error instanceof AppError) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith("08") || code.startsWith("57P");
}
