/**
 * Everything durable grantbot keeps, opened from GRANTBOT_DATA_DIR in one call (main.ts, CLI).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../services/ports/index.ts";
import { openDatabase, type Db } from "./database.ts";
import { asyncStore, SqliteAsyncTransactor } from "./async-sqlite.ts";
import type { AsyncPort } from "../postgres/async-port.ts";
import { SqliteAuditLog } from "./sqlite-audit-log.ts";
import { SqliteCredentialStore } from "./sqlite-credential-store.ts";
import { SqliteDeliveryLog } from "./sqlite-delivery-log.ts";
import { SqliteGrantStore } from "./sqlite-grant-store.ts";
import { SqliteJobQueue } from "./sqlite-job-queue.ts";
import { SqliteDirectoryStore } from "./sqlite-directory-store.ts";
import { SqliteOffboardingStore } from "./sqlite-offboarding-store.ts";
import { SqliteCardStore, SqliteHomeUsers } from "./sqlite-card-store.ts";
import { SqliteBreakglassStore } from "./sqlite-breakglass-store.ts";
import { SqliteReviewStore } from "./sqlite-review-store.ts";
import { SqliteUsageLog } from "./sqlite-usage-log.ts";

export const DATABASE_FILE = "grantbot.db";

/** `<dataDir>/grantbot.db` */
export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

/** A SQLite store with the async port shape (see async-sqlite.ts). */
type Async<T> = AsyncPort<T>;

export interface Store {
  db: Db;
  transactor: SqliteAsyncTransactor;
  grants: Async<SqliteGrantStore>;
  jobs: Async<SqliteJobQueue>;
  /** `all()` stays synchronous: an iterator over the rows. */
  audit: Async<Omit<SqliteAuditLog, "all">> & Pick<SqliteAuditLog, "all">;
  deliveries: Async<SqliteDeliveryLog>;
  credentials: Async<SqliteCredentialStore>;
  /** Last known directory record of each person. */
  people: Async<SqliteDirectoryStore>;
  offboarding: Async<SqliteOffboardingStore>;
  /** Request card copies and approvals so far (Slack experience). */
  cards: Async<SqliteCardStore>;
  homeUsers: Async<SqliteHomeUsers>;
  /** Break-glass grants: review deadlines and outcomes. */
  breakglass: Async<SqliteBreakglassStore>;
  /** Access reviews of standing members (issue 15). */
  reviews: Async<SqliteReviewStore>;
  /** Use of grants, aggregated in memory and flushed in batches (flushed on close). `record` is synchronous. */
  usage: Async<Omit<SqliteUsageLog, "record">> & Pick<SqliteUsageLog, "record">;
  /** Closes the connection (checkpointing the WAL). Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens `<dataDir>/grantbot.db`, creating the directory (mode 0700) and the file (mode 0600:
 * it holds grant history and credential ids) when absent, and applies pending migrations.
 */
export function openStore(dataDir: string, clock: Clock): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = databasePath(dataDir);
  // Create the file ourselves so it never exists with the umask's wider mode; SQLite gives the
  // -wal and -shm files the database file's permissions.
  closeSync(openSync(path, "a", 0o600));
  const db = openDatabase(path);
  return storeOver(db, clock);
}

/** The async stores over an open (migrated) connection. */
export function storeOver(db: Db, clock: Clock): Store {
  const tx = new SqliteAsyncTransactor(db);
  const usage = new SqliteUsageLog(db);
  return {
    db,
    transactor: tx,
    grants: asyncStore(new SqliteGrantStore(db, clock), tx),
    jobs: asyncStore(new SqliteJobQueue(db, clock), tx),
    audit: asyncStore(new SqliteAuditLog(db), tx, ["all"]),
    deliveries: asyncStore(new SqliteDeliveryLog(db), tx),
    credentials: asyncStore(new SqliteCredentialStore(db), tx),
    people: asyncStore(new SqliteDirectoryStore(db), tx),
    offboarding: asyncStore(new SqliteOffboardingStore(db), tx),
    cards: asyncStore(new SqliteCardStore(db), tx),
    homeUsers: asyncStore(new SqliteHomeUsers(db), tx),
    breakglass: asyncStore(new SqliteBreakglassStore(db), tx),
    reviews: asyncStore(new SqliteReviewStore(db), tx),
    usage: asyncStore(usage, tx, ["record"]),
    close: async () => {
      if (db.open) {
        try {
          usage.flush(); // uses recorded since the last scheduled flush
        } catch {
          // closing anyway: the unwritten uses are what a crash would lose
        }
        db.close();
      }
    },
  };
}
