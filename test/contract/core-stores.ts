/**
 * What the core-store contract suites (grant store, audit log, delivery log, credential store)
 * run against: the same stores, in their async port shape, on SQLite (asyncStore over the
 * synchronous classes) or on PostgreSQL (a fresh database per open).
 *
 * `openPeer()` gives the same database seen by another writer: on PostgreSQL a second pool (another
 * instance); on SQLite the same connection and transactor (one process holds one connection to
 * its data dir, so its concurrent writers are async calls sharing it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import { asyncStore, SqliteAsyncTransactor } from "../../src/adapters/sqlite/async-sqlite.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { SqliteCredentialStore } from "../../src/adapters/sqlite/sqlite-credential-store.ts";
import { SqliteDeliveryLog } from "../../src/adapters/sqlite/sqlite-delivery-log.ts";
import { SqliteGrantStore } from "../../src/adapters/sqlite/sqlite-grant-store.ts";
import { newGrant, type Grant } from "../../src/domain/grant.ts";
import type { AuditLog, CredentialRecord, CredentialStore, DeliveryLog, GrantStore } from "../../src/services/ports/index.ts";

/** The fixed clock every contract store uses: `updatedAt` defaults to CONTRACT_NOW. */
export const CONTRACT_NOW = 1_000_000;
export const contractClock = { now: () => CONTRACT_NOW };

export interface CoreStores {
  transactor: { transaction<T>(fn: () => Promise<T>, options?: { durable?: boolean }): Promise<T> };
  grants: AsyncPort<GrantStore>;
  audit: AuditLog;
  deliveries: AsyncPort<DeliveryLog>;
  credentials: AsyncPort<CredentialStore>;
  close(): Promise<void>;
}

export interface CoreFixture extends CoreStores {
  /** Runs raw SQL on the database (tampering tests); same text on both back ends. */
  exec(sql: string): Promise<void>;
  /** Drops the audit tables' guard triggers, as someone with write access to the database could. */
  dropAuditGuards(): Promise<void>;
  /** The same database through another writer (see the file comment). */
  openPeer(): Promise<CoreStores>;
}

export type OpenCore = () => Promise<CoreFixture>;

const AUDIT_GUARDS = [
  ["audit_log_no_update", "audit_log"],
  ["audit_log_no_delete", "audit_log"],
  ["audit_log_append_only_at_head", "audit_log"],
  ["audit_head_forward_only", "audit_head"],
  ["audit_head_no_delete", "audit_head"],
] as const;

/** SQLite: a database file in a temp dir, migrated, with the async face of each store. */
export async function openSqliteCore(): Promise<CoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), "grantbot-contract-"));
  const db = openDatabase(join(dir, "grantbot.db"));
  const transactor = new SqliteAsyncTransactor(db);
  const stores = (): Omit<CoreStores, "close"> => ({
    transactor,
    grants: asyncStore<SqliteGrantStore>(new SqliteGrantStore(db, contractClock), transactor),
    audit: asyncStore(new SqliteAuditLog(db), transactor, ["all"]),
    deliveries: asyncStore<SqliteDeliveryLog>(new SqliteDeliveryLog(db), transactor),
    credentials: asyncStore<SqliteCredentialStore>(new SqliteCredentialStore(db), transactor),
  });
  return {
    ...stores(),
    exec: async (sql) => {
      await transactor.outside();
      db.exec(sql);
    },
    dropAuditGuards: async () => {
      for (const [trigger] of AUDIT_GUARDS) db.exec(`DROP TRIGGER ${trigger}`);
    },
    openPeer: async () => ({ ...stores(), close: async () => {} }),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL: the database at `url` (a fresh one per open), migrated, through its own pool. */
export async function openPgCore(url: string): Promise<CoreFixture> {
  const open = async (): Promise<CoreStores & { exec(sql: string): Promise<void> }> => {
    const store = await openPgStore(url, contractClock, { max: 8 });
    return { ...store, exec: async (sql) => void (await store.db.query(sql)) };
  };
  const main = await open();
  return {
    ...main,
    dropAuditGuards: async () => {
      for (const [trigger, table] of AUDIT_GUARDS) await main.exec(`DROP TRIGGER ${trigger} ON ${table}`);
    },
    openPeer: open,
  };
}

/** A grant as the services create it, with overrides. */
export function grant(id: string, overrides: Partial<Grant> = {}): Grant {
  return newGrant({
    id,
    resource: "prod-db-readonly",
    subject: "alice@example.com",
    requester: "alice@example.com",
    requesterSlackId: "U0ALICE0001",
    durationMs: 3_600_000,
    reason: "INC-1234 investigate replica lag",
    requestedAt: 1_000,
    fileContent: `id: ${id}\n`,
    filePath: `grants/prod-db-readonly/${id}.yaml`,
    updatedAt: 1_000,
    ...overrides,
  });
}

/** An active grant (a credential's grant must exist). */
export function activeGrant(id: string, overrides: Partial<Grant> = {}): Grant {
  return grant(id, { state: "active", approvedBy: ["carol-gh"], approvedAt: 1, activatedAt: 2, expiresAt: 60_002, updatedAt: 2, ...overrides });
}

export function credential(jti: string, grantId: string, overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    jti, grantId, subject: "alice@example.com", audience: "prod-db", scope: "db:read", kid: "k1",
    issuedAt: 2, expiresAt: 60_002, revokedAt: null, ...overrides,
  };
}

/** Matches the duplicate-key error of either back end. */
export const UNIQUE_VIOLATION = /UNIQUE constraint failed|duplicate key value violates unique constraint/;
/** Matches a CHECK constraint error of either back end. */
export const CHECK_VIOLATION = /CHECK constraint failed|violates check constraint/;
/** Matches a foreign key error of either back end. */
export const FOREIGN_KEY_VIOLATION = /FOREIGN KEY constraint failed|violates foreign key constraint/;
