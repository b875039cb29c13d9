/**
 * Everything durable grantbot keeps, opened from GRANTBOT_DATA_DIR in one call (main.ts, CLI).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../services/ports/index.ts";
import { openDatabase, SqliteTransactor, type Db } from "./database.ts";
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

export interface Store {
  db: Db;
  transactor: SqliteTransactor;
  grants: SqliteGrantStore;
  jobs: SqliteJobQueue;
  audit: SqliteAuditLog;
  deliveries: SqliteDeliveryLog;
  credentials: SqliteCredentialStore;
  /** Last known directory record of each person. */
  people: SqliteDirectoryStore;
  offboarding: SqliteOffboardingStore;
  /** Request card copies and approvals so far (Slack experience). */
  cards: SqliteCardStore;
  homeUsers: SqliteHomeUsers;
  /** Break-glass grants: review deadlines and outcomes. */
  breakglass: SqliteBreakglassStore;
  /** Access reviews of standing members (issue 15). */
  reviews: SqliteReviewStore;
  /** Use of grants, aggregated in memory and flushed in batches (flushed on close). */
  usage: SqliteUsageLog;
  /** Closes the connection (checkpointing the WAL). Idempotent. */
  close(): void;
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
  const usage = new SqliteUsageLog(db);
  return {
    db,
    transactor: new SqliteTransactor(db),
    grants: new SqliteGrantStore(db, clock),
    jobs: new SqliteJobQueue(db, clock),
    audit: new SqliteAuditLog(db),
    deliveries: new SqliteDeliveryLog(db),
    credentials: new SqliteCredentialStore(db),
    people: new SqliteDirectoryStore(db),
    offboarding: new SqliteOffboardingStore(db),
    cards: new SqliteCardStore(db),
    homeUsers: new SqliteHomeUsers(db),
    breakglass: new SqliteBreakglassStore(db),
    reviews: new SqliteReviewStore(db),
    usage,
    close: () => {
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
