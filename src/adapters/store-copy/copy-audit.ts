/**
 * The audit log's part of `grantbot store copy`: every row, hashes and all, exactly, and the chain
 * head with them, so `grantbot audit verify` passes on PostgreSQL and the hashes are the ones the
 * SQLite log had (anything exported or noted down before the move still matches).
 *
 * The rows go through the same guards as any append (schema-core.ts: a row must extend the chain
 * where `audit_head` ends, and the head advances one row at a time onto a row that exists): they
 * are staged in a temporary table, then appended one by one by `audit_append`, the server-side
 * loop that moves the head after each row — no trigger is disabled, and a round trip per row is
 * avoided.
 *
 * The source is verified first (a broken chain is not copied: the move would carry the tampering
 * over and hide when it happened), and the copy is verified in the copying transaction before it
 * commits: rows, last seq and head hash must be the source's.
 */
import type { Db } from "../sqlite/database.ts";
import { SqliteAuditLog } from "../sqlite/sqlite-audit-log.ts";
import { PgAuditLog } from "../postgres/pg-audit-log.ts";
import type { PgDatabase } from "../postgres/pg-database.ts";
import { insertBatches } from "./insert-batches.ts";

export interface AuditCopy {
  rows: number;
  headSeq: number;
  headHash: string;
}

const COLUMNS = ["seq", "at", "actor", "action", "grant_id", "data", "prev_hash", "hash"] as const;

/** Throws when the source chain does not verify (its problems in the message). */
export function sourceAuditHead(source: Db): AuditCopy {
  const result = new SqliteAuditLog(source).verify();
  if (!result.ok) {
    throw new Error(`the source audit log does not verify (${result.problems.length} problem(s): ${result.problems.slice(0, 3).join("; ")}); ` +
      "run `grantbot audit verify` on it; a broken chain is not copied");
  }
  const head = source.prepare("SELECT seq, hash FROM audit_head WHERE id = 1").get() as { seq: number; hash: string };
  return { rows: result.rows, headSeq: head.seq, headHash: head.hash };
}

/** Runs inside the copying transaction on `target`. */
export async function copyAudit(source: Db, target: PgDatabase, expected: AuditCopy): Promise<AuditCopy> {
  await target.query("CREATE TEMP TABLE grantbot_audit_copy (LIKE audit_log) ON COMMIT DROP");
  const rows = source.prepare(`SELECT ${COLUMNS.join(", ")} FROM audit_log ORDER BY seq`).iterate() as IterableIterator<Record<string, unknown>>;
  await insertBatches(target, "grantbot_audit_copy", COLUMNS, rows);
  // audit_append (schema-core.ts): the same server-side append every instance uses at commit.
  await target.query("SELECT audit_append(coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.seq), '[]'::jsonb)) FROM grantbot_audit_copy c");
  const verified = await new PgAuditLog(target).verify();
  if (!verified.ok) throw new Error(`the copied audit log does not verify on PostgreSQL: ${verified.problems.slice(0, 3).join("; ")}`);
  const head = (await target.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE id = 1")).rows[0];
  const copied = { rows: verified.rows, headSeq: head?.seq ?? 0, headHash: head?.hash ?? "" };
  if (copied.rows !== expected.rows || copied.headSeq !== expected.headSeq || copied.headHash !== expected.headHash) {
    throw new Error(`the copied audit log ends at seq ${copied.headSeq} (${copied.rows} rows), the source at seq ${expected.headSeq} (${expected.rows} rows)`);
  }
  return copied;
}
