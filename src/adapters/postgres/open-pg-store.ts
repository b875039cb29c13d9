/**
 * Everything durable grantbot keeps, on PostgreSQL (GRANTBOT_DATABASE_URL), opened in one call:
 * the pool, migrated under the migration lock, and the stores over it. The PostgreSQL
 * counterpart of src/adapters/sqlite/open-store.ts; the transactor is the PgDatabase itself
 * (ambient transactions: every store call inside `transaction(fn)` joins it).
 */
import type { Clock } from "../../services/ports/index.ts";
import { migratePostgres, PG_MIGRATIONS, type PgMigration } from "./migrations.ts";
import { PgAuditLog } from "./pg-audit-log.ts";
import { PgCredentialStore } from "./pg-credential-store.ts";
import { PgDatabase, type PgDatabaseOptions } from "./pg-database.ts";
import { PgDeliveryLog } from "./pg-delivery-log.ts";
import { PgGrantStore } from "./pg-grant-store.ts";

export interface OpenPgStoreOptions extends PgDatabaseOptions {
  /** Migrations to apply (tests pass their own). Default: all of them. */
  migrations?: readonly PgMigration[];
}

export interface PgStore {
  db: PgDatabase;
  /** The Transactor: `transaction(fn, { durable })` over the pool (nested calls: savepoints). */
  transactor: PgDatabase;
  grants: PgGrantStore;
  audit: PgAuditLog;
  deliveries: PgDeliveryLog;
  credentials: PgCredentialStore;
  /** The migration versions this open applied (empty when the schema was current). */
  migrated: readonly number[];
  /** Closes the pool. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to `url`, applies pending migrations (waiting for another instance that is migrating),
 * and returns the stores. Throws — after closing the pool — when the database cannot be reached
 * or holds a schema this grantbot does not know (see migrations.ts).
 */
export async function openPgStore(url: string, clock: Clock, options: OpenPgStoreOptions = {}): Promise<PgStore> {
  const { migrations = PG_MIGRATIONS, ...poolOptions } = options;
  const db = new PgDatabase(url, poolOptions);
  let migrated: number[];
  try {
    migrated = (await migratePostgres(db, migrations)).applied;
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    db,
    transactor: db,
    grants: new PgGrantStore(db, clock),
    audit: new PgAuditLog(db),
    deliveries: new PgDeliveryLog(db),
    credentials: new PgCredentialStore(db),
    migrated,
    close: () => db.close(),
  };
}
