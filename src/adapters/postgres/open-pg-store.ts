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
import { PgJobQueue } from "./pg-job-queue.ts";
import { PgDirectoryStore } from "./pg-directory-store.ts";
import { PgOffboardingStore } from "./pg-offboarding-store.ts";
import { PgCardStore } from "./pg-card-store.ts";
import { PgHomeUsers } from "./pg-home-users.ts";
import { PgBreakglassStore } from "./pg-breakglass-store.ts";
import { PgReviewStore } from "./pg-review-store.ts";
import { PgUsageLog } from "./pg-usage-log.ts";

export interface OpenPgStoreOptions extends PgDatabaseOptions {
  /** Migrations to apply (tests pass their own). Default: all of them. */
  migrations?: readonly PgMigration[];
  /** This process among the instances: who holds a job's lease (unique among live instances). */
  instanceId?: string;
}

export interface PgStore {
  db: PgDatabase;
  /** The Transactor: `transaction(fn, { durable })` over the pool (nested calls: savepoints). */
  transactor: PgDatabase;
  grants: PgGrantStore;
  audit: PgAuditLog;
  deliveries: PgDeliveryLog;
  credentials: PgCredentialStore;
  jobs: PgJobQueue;
  people: PgDirectoryStore;
  offboarding: PgOffboardingStore;
  cards: PgCardStore;
  homeUsers: PgHomeUsers;
  breakglass: PgBreakglassStore;
  reviews: PgReviewStore;
  /** Uses recorded in memory, added to the stored counts by `flush` (and on close). */
  usage: PgUsageLog;
  /** The migration versions this open applied (empty when the schema was current). */
  migrated: readonly number[];
  /** Flushes recorded uses, then closes the pool. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to `url`, applies pending migrations (waiting for another instance that is migrating),
 * and returns the stores. Throws — after closing the pool — when the database cannot be reached
 * or holds a schema this grantbot does not know (see migrations.ts).
 */
export async function openPgStore(url: string, clock: Clock, options: OpenPgStoreOptions = {}): Promise<PgStore> {
  const { migrations = PG_MIGRATIONS, instanceId = `grantbot-${process.pid}`, ...poolOptions } = options;
  const db = new PgDatabase(url, poolOptions);
  let migrated: number[];
  try {
    migrated = (await migratePostgres(db, migrations)).applied;
  } catch (error) {
    await db.close();
    throw error;
  }
  const usage = new PgUsageLog(db);
  return {
    db,
    transactor: db,
    grants: new PgGrantStore(db, clock),
    audit: new PgAuditLog(db),
    deliveries: new PgDeliveryLog(db),
    credentials: new PgCredentialStore(db),
    jobs: new PgJobQueue(db, clock, { instanceId }),
    people: new PgDirectoryStore(db),
    offboarding: new PgOffboardingStore(db),
    cards: new PgCardStore(db),
    homeUsers: new PgHomeUsers(db),
    breakglass: new PgBreakglassStore(db),
    reviews: new PgReviewStore(db),
    usage,
    migrated,
    close: async () => {
      try {
        await usage.flush(); // uses recorded since the last scheduled flush
      } catch {
        // closing anyway: the unwritten uses are what a crash would lose
      }
      await db.close();
    },
  };
}
