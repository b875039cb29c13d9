/**
 * `grantbot store copy --from <data dir> --to <postgres url>`: moves a stopped SQLite deployment
 * to PostgreSQL — every table, the audit log with its chain head exactly (copy-audit.ts) and the
 * signing keys re-encrypted for the database (copy-keys.ts).
 *
 * - The source must exist and be stopped: its data-directory lock (the one `serve` holds) is
 *   taken for the whole copy, so a `serve` still running is refused and none can start meanwhile.
 *   Its database is opened as grantbot opens it (pending SQLite migrations are applied first, so
 *   the column mapping of copy-plan.ts holds), and read in one snapshot.
 * - The target is migrated, then filled in ONE transaction that first locks every grantbot table
 *   (an instance started against it waits, then sees the whole copy) and refuses a database that
 *   already holds any grantbot data. Nothing is half-copied: any failure rolls everything back.
 * - Before committing, every table's row count is compared with the source's and the copied audit
 *   chain is verified; identity sequences are moved past the highest id SQLite ever used.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { acquireDataDirLock, DataDirLockedError } from "../sqlite/data-dir-lock.ts";
import { openDatabase, type Db } from "../sqlite/database.ts";
import { databasePath } from "../sqlite/open-store.ts";
import { migratePostgres } from "../postgres/migrations.ts";
import { PgDatabase } from "../postgres/pg-database.ts";
import { copyAudit, sourceAuditHead, type AuditCopy } from "./copy-audit.ts";
import { copyKeys, readSourceKeys, type CopiedKey } from "./copy-keys.ts";
import { TABLES, TARGET_TABLES, type SourceRow, type TableCopy } from "./copy-plan.ts";
import { insertBatches } from "./insert-batches.ts";

/** A copy refused before anything was written (missing or running source, non-empty target). */
export class StoreCopyRefused extends Error {}

export interface StoreCopyInput {
  /** The SQLite data directory (GRANTBOT_DATA_DIR of the deployment). */
  from: string;
  /** The PostgreSQL connection URL. */
  to: string;
  /** GRANTBOT_KEY_ENCRYPTION_KEY, decoded (32 bytes). */
  keyEncryptionKey: Uint8Array;
}

export interface StoreCopyReport {
  tables: { table: string; rows: number }[];
  /** Jobs that were running at the stop, queued again. */
  jobsRequeued: number;
  audit: AuditCopy;
  keys: CopiedKey[];
}

export async function copyStore(input: StoreCopyInput): Promise<StoreCopyReport> {
  const from = resolve(input.from);
  if (!existsSync(from) || !statSync(from).isDirectory()) throw new StoreCopyRefused(`no data directory at ${from}`);
  const path = databasePath(from);
  if (!existsSync(path)) throw new StoreCopyRefused(`no grantbot database at ${path}`);
  let lock;
  try {
    lock = acquireDataDirLock(from);
  } catch (error) {
    if (error instanceof DataDirLockedError) throw new StoreCopyRefused(`${error.message}; stop it before copying (the copy must see the deployment's final state)`);
    throw error;
  }
  try {
    const source = openDatabase(path, { fileMustExist: true });
    try {
      const keys = await readSourceKeys(from);
      source.exec("BEGIN"); // one snapshot of the source for every read below
      try {
        return await copyInto(source, keys, input);
      } finally {
        source.exec("ROLLBACK");
      }
    } finally {
      source.close();
    }
  } finally {
    lock.release();
  }
}

async function copyInto(source: Db, keys: Awaited<ReturnType<typeof readSourceKeys>>, input: StoreCopyInput): Promise<StoreCopyReport> {
  const auditHead = sourceAuditHead(source);
  const counts = new Map(TABLES.map((t) => [t.table, countRows(source, t.table)]));
  const jobsRequeued = (source.prepare("SELECT COUNT(*) FROM jobs WHERE state = 'running'").pluck().get() as number) ?? 0;
  const target = new PgDatabase(input.to, { max: 2, applicationName: "grantbot store copy" });
  try {
    await migratePostgres(target);
    return await target.transaction(async () => {
      await target.query(`LOCK TABLE ${[...TARGET_TABLES, "audit_head"].join(", ")} IN ACCESS EXCLUSIVE MODE`);
      await refuseNonEmpty(target);
      const tables: StoreCopyReport["tables"] = [];
      for (const spec of TABLES) {
        const rows = await copyTable(source, target, spec).catch((error: unknown) => {
          throw new Error(`copying ${spec.table}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        });
        const copied = Number((await target.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${spec.table}`)).rows[0]?.n);
        if (rows !== counts.get(spec.table) || copied !== rows) {
          throw new Error(`${spec.table}: the source has ${counts.get(spec.table)} rows, ${copied} were copied`);
        }
        tables.push({ table: spec.table, rows });
      }
      const audit = await copyAudit(source, target, auditHead);
      tables.push({ table: "audit_log", rows: audit.rows });
      const copiedKeys = await copyKeys(target, keys, input.keyEncryptionKey);
      tables.push({ table: "signing_keys", rows: copiedKeys.length });
      return { tables, jobsRequeued, audit, keys: copiedKeys };
    });
  } finally {
    await target.close();
  }
}

function countRows(source: Db, table: string): number {
  return source.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

async function refuseNonEmpty(target: PgDatabase): Promise<void> {
  const holding: string[] = [];
  for (const table of TARGET_TABLES) {
    const { rows } = await target.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
    if (rows[0]?.any) holding.push(table);
  }
  const head = (await target.query<{ seq: number }>("SELECT seq FROM audit_head WHERE id = 1")).rows[0];
  if ((head?.seq ?? 0) > 0 && !holding.includes("audit_log")) holding.push("audit_head");
  if (holding.length > 0) {
    throw new StoreCopyRefused(`the target database already holds grantbot data (${holding.join(", ")}); store copy only fills an empty database — nothing was copied`);
  }
}

/** Copies one table; returns the rows copied. */
async function copyTable(source: Db, target: PgDatabase, spec: TableCopy): Promise<number> {
  const read = source.prepare(`SELECT ${spec.columns.join(", ")} FROM ${spec.table} ORDER BY ${spec.order}`).iterate() as IterableIterator<SourceRow>;
  const rows = mapRows(read, (row) => {
    const out = spec.transform ? spec.transform(row) : { ...row };
    for (const column of spec.booleans ?? []) if (out[column] !== null && out[column] !== undefined) out[column] = out[column] === 1;
    return out;
  });
  const copied = await insertBatches(target, spec.table, spec.columns, rows, { overriding: spec.identity !== undefined });
  if (spec.identity) await advanceIdentity(source, target, spec.table, spec.identity);
  return copied;
}

function* mapRows(rows: Iterable<SourceRow>, fn: (row: SourceRow) => SourceRow): Iterable<SourceRow> {
  for (const row of rows) yield fn(row);
}

/** Moves the identity sequence past the highest id SQLite ever handed out (AUTOINCREMENT never reuses one). */
async function advanceIdentity(source: Db, target: PgDatabase, table: string, column: string): Promise<void> {
  const used = (source.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?").pluck().get(table) as number | undefined) ?? 0;
  const max = (source.prepare(`SELECT MAX(${column}) FROM ${table}`).pluck().get() as number | null) ?? 0;
  const last = Math.max(used, max);
  if (last > 0) await target.query("SELECT setval(pg_get_serial_sequence($1, $2), $3)", [table, column, last]);
}
