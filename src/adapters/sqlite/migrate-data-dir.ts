/**
 * `grantbot migrate` on SQLite: applies the pending migrations of `<dataDir>/grantbot.db` (creating
 * it as `openStore` does when absent) and says which it applied.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import type { Clock } from "../../services/ports/index.ts";
import { MIGRATIONS, schemaVersion, type Migration } from "./migrations.ts";
import { databasePath, openStore } from "./open-store.ts";

export interface DataDirMigration {
  /** The database file. */
  path: string;
  /** The migrations this call applied, in order (empty when the schema was current). */
  applied: Migration[];
  /** The schema version now. */
  version: number;
}

/**
 * Migrates the SQLite database of `dataDir`. Throws the migration runner's `config_invalid`
 * AppError for a database written by a newer or different grantbot.
 */
export function migrateDataDir(dataDir: string, clock: Clock): DataDirMigration {
  const path = databasePath(dataDir);
  const before = existsSync(path) ? recordedVersion(path) : 0;
  const store = openStore(dataDir, clock);
  try {
    const version = schemaVersion(store.db);
    return { path, applied: MIGRATIONS.slice(before, version), version };
  } finally {
    store.close();
  }
}

/** The newest recorded version, read without writing anything. */
function recordedVersion(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const tracked = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!tracked) return 0;
    return (db.prepare("SELECT MAX(version) FROM schema_migrations").pluck().get() as number | null) ?? 0;
  } finally {
    db.close();
  }
}
