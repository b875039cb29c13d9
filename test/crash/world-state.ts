/**
 * What the parent reads of the grantbot child's state, the same way on either back end: the
 * product's own store classes over the parent's own connection — a read-only SQLite connection
 * to the child's data directory (WAL lets it read while the child writes), or a small pool on the
 * child's PostgreSQL database. Only read methods are used; the answers are promises either way,
 * like the store ports.
 */
import Database from "better-sqlite3";
import type { Grant } from "../../src/domain/grant.ts";
import { GRANT_STATES } from "../../src/domain/grant.ts";
import { openPgStore, type PgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import { databasePath } from "../../src/adapters/sqlite/open-store.ts";
import { SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { SqliteCredentialStore } from "../../src/adapters/sqlite/sqlite-credential-store.ts";
import { SqliteGrantStore } from "../../src/adapters/sqlite/sqlite-grant-store.ts";
import { SqliteJobQueue } from "../../src/adapters/sqlite/sqlite-job-queue.ts";
import type { AuditRecord, CredentialRecord, Job } from "../../src/services/ports/index.ts";

const DEAD_JOBS_SQL = "SELECT kind, last_error AS error FROM jobs WHERE state = 'dead'";
const clock = { now: () => Date.now() };

export interface WorldState {
  grant(id: string): Promise<Grant | null>;
  allGrants(): Promise<Grant[]>;
  /** Jobs queued or running. */
  pendingJobs(): Promise<Job[]>;
  /** Jobs that gave up, with their last error. */
  deadJobs(): Promise<Array<{ kind: string; error: string }>>;
  auditFor(grantId: string): Promise<AuditRecord[]>;
  /** The audit chain re-verified (SqliteAuditLog.verify / PgAuditLog.verify). */
  verifyAudit(): Promise<{ ok: boolean; problems: string[] }>;
  credentialsFor(grantId: string): Promise<CredentialRecord[]>;
  close(): Promise<void>;
}

/** The SQLite stores over a read-only connection (the synchronous view World.stores() gives). */
export function sqliteInspection(dataDir: string) {
  const db = new Database(databasePath(dataDir), { readonly: true, fileMustExist: true });
  return {
    grants: new SqliteGrantStore(db, clock),
    jobs: new SqliteJobQueue(db, clock),
    audit: new SqliteAuditLog(db),
    credentials: new SqliteCredentialStore(db),
    db,
  };
}
export type SqliteInspection = ReturnType<typeof sqliteInspection>;

/** Over the SQLite inspection `open` gives (opened on first use, closed by its owner). */
export function sqliteWorldState(open: () => SqliteInspection): WorldState {
  return {
    grant: async (id) => open().grants.get(id),
    allGrants: async () => open().grants.listByState(GRANT_STATES, 1_000_000),
    pendingJobs: async () => open().jobs.pending(),
    deadJobs: async () => open().db.prepare(DEAD_JOBS_SQL).all() as Array<{ kind: string; error: string }>,
    auditFor: async (grantId) => open().audit.forGrant(grantId),
    verifyAudit: async () => open().audit.verify(),
    credentialsFor: async (grantId) => open().credentials.forGrant(grantId),
    close: async () => undefined,
  };
}

/** Over the child's PostgreSQL database (a pool of two, opened on first use). */
export function pgWorldState(url: string): WorldState {
  let store: Promise<PgStore> | null = null;
  // Already migrated by the child; opening applies nothing (or waits on the migration lock).
  const open = () => (store ??= openPgStore(url, clock, { instanceId: "crash-suite-inspector", max: 2, applicationName: "grantbot-crash-suite" }));
  return {
    grant: async (id) => (await open()).grants.get(id),
    allGrants: async () => (await open()).grants.listByState(GRANT_STATES, 1_000_000),
    pendingJobs: async () => (await open()).jobs.pending(),
    deadJobs: async () => (await (await open()).db.query<{ kind: string; error: string }>(DEAD_JOBS_SQL)).rows,
    auditFor: async (grantId) => (await open()).audit.forGrant(grantId),
    verifyAudit: async () => (await open()).audit.verify(),
    credentialsFor: async (grantId) => (await open()).credentials.forGrant(grantId),
    close: async () => {
      const opened = store;
      store = null;
      if (opened) await (await opened).close().catch(() => undefined);
    },
  };
}
