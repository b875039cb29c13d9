/**
 * The SQLite connection: pragmas chosen for a small, single-writer service whose most important
 * writes are revocations, plus the Transactor port over better-sqlite3 transactions.
 */
import Database from "better-sqlite3";

import { MIGRATIONS, migrate, type Migration } from "./migrations.ts";

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Fail instead of creating an empty database (CLI commands that only read). */
  fileMustExist?: boolean;
  /** Migrations to apply (tests pass a prefix of MIGRATIONS). Default: all of them. */
  migrations?: readonly Migration[];
}

/**
 * Opens (and migrates) the database at `path`, or an in-memory one for ":memory:".
 * Throws when the file holds a schema newer than this code knows (see migrations.ts).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(path, { fileMustExist: options.fileMustExist ?? false, timeout: 5000 });
  try {
    if (path !== ":memory:") {
      // WAL: readers (CLI, /metrics, introspection) never block the writer and vice versa.
      db.pragma("journal_mode = WAL");
    }
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power loss or kernel
    // crash can roll back the last few commits. A rolled-back "credential revoked" / "member
    // removed" row means a revocation that happened in the target is forgotten here (and an
    // approval acknowledged to Slack could vanish). Our write rate is tiny; the fsync is cheap.
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    // Wait for another connection's write lock (a CLI command, a second worker) instead of
    // failing at once with SQLITE_BUSY.
    db.pragma("busy_timeout = 5000");
    migrate(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Transactor over one connection. Transactions start with BEGIN IMMEDIATE: every grantbot
 * transaction writes, and taking the write lock up front avoids SQLITE_BUSY_SNAPSHOT when a
 * read-then-write transaction races another connection. Nested calls become savepoints, so a
 * store method that opens its own transaction composes with an outer one.
 */
export class SqliteTransactor {
  constructor(private readonly db: Db) {}

  /**
   * `durable: false` commits with `synchronous = NORMAL`: in WAL mode the commit is written to the
   * WAL (so a killed process loses nothing) without the fsync, which costs ~0.6 ms on a virtual
   * disk and blocks the event loop meanwhile; the next durable commit's fsync covers it. The job
   * runner records leases and completions this way, once per turn, while revocations commit FULL.
   */
  transaction<T>(fn: () => T, options: { durable?: boolean } = {}): T {
    if (options.durable !== false || this.db.inTransaction || this.db.memory) return inTransaction(this.db, fn);
    this.db.pragma("synchronous = NORMAL");
    try {
      return inTransaction(this.db, fn);
    } finally {
      this.db.pragma("synchronous = FULL");
    }
  }
}

/** Runs `fn` in an immediate transaction (or a savepoint when one is already open). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
