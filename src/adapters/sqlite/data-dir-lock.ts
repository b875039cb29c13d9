/**
 * One `grantbot serve` per SQLite data directory.
 *
 * The lock is a write transaction (`BEGIN IMMEDIATE`, SQLite's RESERVED lock) held open on a small
 * separate SQLite file, `<dataDir>/grantbot.lock`, for as long as the process runs. SQLite takes it
 * with a POSIX advisory lock (fcntl), which the kernel drops when the process ends in any way —
 * `kill -9` and power loss included — so a lock can never go stale and block the next start (an
 * mtime-based lock file such as proper-lockfile's stays "held" until its staleness period passes).
 * SQLite tracks these locks per file inside one process too, so a second `acquire` in the same
 * process is refused as well. The lock file gets no page written (no journal); the database
 * itself is untouched, so read-only commands (`grantbot grants`, `audit verify`) and the
 * one-shot commands that coordinate through the job queue (`revoke`, `reconcile`) still run next
 * to `serve`. Local file systems only: advisory locks over NFS are not dependable.
 *
 * Who holds it (pid, start time) is written to `<dataDir>/grantbot.lock.json` once the lock is
 * taken; a refused process reads it for its message.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { AppError } from "../../domain/errors.ts";

export const LOCK_FILE = "grantbot.lock";
export const LOCK_HOLDER_FILE = "grantbot.lock.json";

export interface DataDirLock {
  readonly path: string;
  /** Ends the transaction and closes the lock file. Idempotent. */
  release(): void;
}

/** Another process holds the data directory; `message` is the whole explanation for operators. */
export class DataDirLockedError extends AppError {
  constructor(
    message: string,
    readonly holder: { pid: number; startedAt: string } | null,
  ) {
    super("config_invalid", message);
  }
}

function readHolder(dataDir: string): { pid: number; startedAt: string } | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, LOCK_HOLDER_FILE), "utf8")) as { pid?: unknown; startedAt?: unknown };
    return typeof parsed.pid === "number" && typeof parsed.startedAt === "string" ? { pid: parsed.pid, startedAt: parsed.startedAt } : null;
  } catch {
    return null;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/**
 * Takes the data directory's lock (the directory must exist) or throws DataDirLockedError naming
 * the process that has it. `now` stamps the holder file.
 */
export function acquireDataDirLock(dataDir: string, options: { pid?: number; now?: () => number } = {}): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  closeSync(openSync(path, "a", 0o600));
  const db = new Database(path, { timeout: 0 });
  try {
    // Rollback journal (never WAL) so the lock is the classic fcntl byte-range lock on this file.
    db.pragma("journal_mode = DELETE");
    db.exec("BEGIN IMMEDIATE");
  } catch (err) {
    db.close();
    if (!isBusy(err)) throw err;
    const holder = readHolder(dataDir);
    const who = holder ? `another grantbot (pid ${holder.pid}, started at ${holder.startedAt})` : "another grantbot";
    throw new DataDirLockedError(
      `${who} is using the data directory ${dataDir}; run one instance per data directory (GRANTBOT_DATA_DIR), and stop the other one first`,
      holder,
    );
  }
  const holder = { pid: options.pid ?? process.pid, startedAt: new Date((options.now ?? Date.now)()).toISOString() };
  writeFileSync(join(dataDir, LOCK_HOLDER_FILE), `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  let held = true;
  return {
    path,
    release: () => {
      if (!held) return;
      held = false;
      try {
        db.exec("ROLLBACK");
      } finally {
        db.close();
      }
    },
  };
}
