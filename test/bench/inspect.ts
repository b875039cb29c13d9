/**
 * What the benchmark reads of grantbot's state, on either back end, as promises: a read-only
 * SQLite connection to the child's data directory (WAL lets it read while the child writes), or a
 * small pool on the instances' PostgreSQL database. The product's own store classes, read
 * methods only; the bulk audit query is plain SQL, the same on both.
 */
import Database from "better-sqlite3";
import type { Grant, GrantState } from "../../src/domain/grant.ts";
import { GRANT_STATES } from "../../src/domain/grant.ts";
import { openPgStore, type PgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import { databasePath } from "../../src/adapters/sqlite/open-store.ts";
import { SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { SqliteGrantStore } from "../../src/adapters/sqlite/sqlite-grant-store.ts";
import { SqliteJobQueue } from "../../src/adapters/sqlite/sqlite-job-queue.ts";
import type { AuditRecord } from "../../src/services/ports/index.ts";
import { sleep } from "./stats.ts";

const clock = { now: () => Date.now() };
const ATTEMPTS_SQL = "SELECT kind, count(*) AS jobs, sum(attempts) AS attempts FROM jobs WHERE updated_at >= ? GROUP BY kind ORDER BY kind";
const LAST_AT_SQL = (param: string) => `SELECT grant_id AS id, MAX(at) AS at FROM audit_log WHERE action = ${param} GROUP BY grant_id`;

export interface Inspector {
  grant(id: string): Promise<Grant | null>;
  grants(): Promise<Grant[]>;
  auditFor(grantId: string): Promise<AuditRecord[]>;
  /** Per grant, the time of its latest audit row with `action`. */
  lastAuditAt(action: string): Promise<Map<string, number>>;
  /** Jobs queued or running. */
  pendingJobs(): Promise<number>;
  /** Per kind, the jobs touched since `since` and their attempts (more attempts than jobs: re-runs). */
  jobAttempts(since: number): Promise<Array<{ kind: string; jobs: number; attempts: number }>>;
  /** Jobs running under a lease of this instance (PostgreSQL; NaN on SQLite, which has no owners). */
  leasesHeldBy(instanceId: string): Promise<number>;
  close(): Promise<void>;
}

export function sqliteInspector(dataDir: string): Inspector {
  let db: Database.Database | null = null;
  const conn = () => (db ??= new Database(databasePath(dataDir), { readonly: true, fileMustExist: true }));
  const grants = () => new SqliteGrantStore(conn(), clock);
  return {
    grant: async (id) => grants().get(id),
    grants: async () => grants().listByState(GRANT_STATES, 1_000_000),
    auditFor: async (id) => new SqliteAuditLog(conn()).forGrant(id),
    lastAuditAt: async (action) => new Map((conn().prepare(LAST_AT_SQL("?")).all(action) as { id: string; at: number }[]).map((r) => [r.id, r.at])),
    pendingJobs: async () => new SqliteJobQueue(conn(), clock).pending().length,
    leasesHeldBy: async () => Number.NaN,
    jobAttempts: async (since) => conn().prepare(ATTEMPTS_SQL).all(since) as Array<{ kind: string; jobs: number; attempts: number }>,
    close: async () => {
      db?.close();
      db = null;
    },
  };
}

export function pgInspector(url: string): Inspector {
  let store: Promise<PgStore> | null = null;
  // The instances migrated the database already; opening applies nothing (or waits on the lock).
  const open = () => (store ??= openPgStore(url, clock, { instanceId: "bench-inspector", max: 3, applicationName: "grantbot-bench" }));
  return {
    grant: async (id) => (await open()).grants.get(id),
    grants: async () => (await open()).grants.listByState(GRANT_STATES, 1_000_000),
    auditFor: async (id) => (await open()).audit.forGrant(id),
    lastAuditAt: async (action) => {
      const { rows } = await (await open()).db.query<{ id: string; at: string }>(LAST_AT_SQL("$1"), [action]);
      return new Map(rows.map((r) => [r.id, Number(r.at)]));
    },
    pendingJobs: async () => (await (await open()).jobs.pending()).length,
    jobAttempts: async (since) =>
      (await (await open()).db.query<{ kind: string; jobs: string; attempts: string }>(ATTEMPTS_SQL.replace("?", "$1"), [since])).rows.map((r) => ({ kind: r.kind, jobs: Number(r.jobs), attempts: Number(r.attempts) })),
    leasesHeldBy: async (instanceId) => Number((await (await open()).db.query<{ n: string }>("SELECT count(*) AS n FROM jobs WHERE state = 'running' AND leased_by = $1", [instanceId])).rows[0]!.n),
    close: async () => {
      const opened = store;
      store = null;
      if (opened) await (await opened).close().catch(() => undefined);
    },
  };
}

/** Polls `probe` every `everyMs` until it gives a truthy value; rejects after `timeoutMs`. */
export async function waitUntil<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, what: string, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function waitForGrant(inspect: Inspector, id: string, states: GrantState[], timeoutMs: number): Promise<Grant> {
  let last: Grant | null = null;
  try {
    return await waitUntil(async () => {
      last = await inspect.grant(id);
      return last && states.includes(last.state) ? last : null;
    }, timeoutMs, `grant ${id} to be ${states.join("|")}`);
  } catch (err) {
    throw new Error(`${(err as Error).message} (is ${(last as Grant | null)?.state ?? "absent"})`);
  }
}
