/**
 * Numbered schema migrations. Each is applied once, in order, inside its own transaction, and
 * recorded in `schema_migrations` in that same transaction — so a crash mid-migration leaves the
 * database at the previous version, and applying twice is a no-op.
 *
 * Rules for adding one: append with the next version number; never edit or renumber a migration
 * that has shipped (the runner refuses a database whose recorded name differs).
 */
import type Database from "better-sqlite3";
import { AppError } from "../../domain/errors.ts";
import { MIGRATION_001_INITIAL } from "./migration-001-initial.ts";
import { MIGRATION_002_DIRECTORY_PEOPLE } from "./migration-002-directory-people.ts";
import { MIGRATION_003_LEAVERS } from "./migration-003-leavers.ts";
import { MIGRATION_004_SLACK_CARDS } from "./migration-004-slack-cards.ts";
import { MIGRATION_005_JOB_KIND_INDEX } from "./migration-005-job-kind-index.ts";
import { MIGRATION_006_JOB_LEASE_INDEX } from "./migration-006-job-lease-index.ts";
import { MIGRATION_007_GRANT_POLICY_SHA } from "./migration-007-grant-policy-sha.ts";
import { MIGRATION_008_JOB_GRANT_INDEX } from "./migration-008-job-grant-index.ts";
import { MIGRATION_009_BREAKGLASS } from "./migration-009-breakglass.ts";
import { MIGRATION_010_ACCESS_REVIEWS } from "./migration-010-access-reviews.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", sql: MIGRATION_001_INITIAL },
  { version: 2, name: "directory_people", sql: MIGRATION_002_DIRECTORY_PEOPLE },
  { version: 3, name: "leavers", sql: MIGRATION_003_LEAVERS },
  { version: 4, name: "slack_cards", sql: MIGRATION_004_SLACK_CARDS },
  { version: 5, name: "job_kind_index", sql: MIGRATION_005_JOB_KIND_INDEX },
  { version: 6, name: "job_lease_index", sql: MIGRATION_006_JOB_LEASE_INDEX },
  { version: 7, name: "grant_policy_sha", sql: MIGRATION_007_GRANT_POLICY_SHA },
  { version: 8, name: "job_grant_index", sql: MIGRATION_008_JOB_GRANT_INDEX },
  { version: 9, name: "breakglass", sql: MIGRATION_009_BREAKGLASS },
  { version: 10, name: "access_reviews", sql: MIGRATION_010_ACCESS_REVIEWS },
];

/** The schema version this code writes. */
export const LATEST_VERSION = MIGRATIONS.length;

const TRACKING_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

/** Versions recorded in the database, ascending (empty for a fresh database). */
export function appliedMigrations(db: Database.Database): { version: number; name: string }[] {
  db.exec(TRACKING_TABLE);
  return db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all() as {
    version: number;
    name: string;
  }[];
}

/** Highest applied version, 0 for a fresh database. */
export function schemaVersion(db: Database.Database): number {
  return appliedMigrations(db).at(-1)?.version ?? 0;
}

/**
 * Applies the missing migrations of `migrations` (which must be numbered 1..n without gaps).
 * Throws a `config_invalid` AppError when the database is newer than the code (a downgrade) or
 * when an applied migration's name differs from the code's (a renumbered migration).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n; found ${m.version} at index ${i}`);
  });
  const applied = appliedMigrations(db);
  const known = migrations.length;
  const newest = applied.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new AppError(
      "config_invalid",
      `the database schema is version ${newest} but this grantbot only knows versions up to ${known}: ` +
        `it was written by a newer grantbot. Upgrade grantbot (or restore a backup taken before the upgrade).`,
    );
  }
  for (const row of applied) {
    const expected = migrations[row.version - 1];
    if (expected && expected.name !== row.name) {
      throw new AppError(
        "config_invalid",
        `database migration ${row.version} is "${row.name}" but this grantbot's migration ${row.version} is ` +
          `"${expected.name}": the database was written by a different build of grantbot.`,
      );
    }
  }
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, CAST(unixepoch('subsec') * 1000 AS INTEGER))",
  );
  const isApplied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").pluck();
  for (const migration of migrations.slice(newest)) {
    db.transaction(() => {
      // Re-checked under the write lock: another process may have migrated since we looked.
      if (isApplied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
    }).immediate();
  }
  return known;
}
