/**
 * The tamper-evident audit log on PostgreSQL: the SQLite log's chain (same hashes, computed by
 * the pure functions of audit-chain.ts), kept one chain with several writers. Each append takes a
 * transaction-scoped advisory lock before it reads `audit_head`, so appends of concurrent
 * transactions (any instance) queue one after the other, each reading the head the previous one
 * committed; the lock is held until the caller's transaction ends, so the audit row still commits
 * with the change it describes. The schema's triggers refuse any row that does not extend the
 * chain at the head (schema-core.ts).
 *
 * Reads that walk the whole log (`verify`, `all`, `records`) run in one REPEATABLE READ snapshot,
 * so appends committing meanwhile are neither half seen nor reported as tampering.
 */
import type { AuditEntry, AuditLog, AuditRecord } from "../../services/ports/index.ts";
import { assertNoSecrets, canonicalJson, GENESIS_HASH, rowHash } from "../sqlite/audit-chain.ts";
import { lockForTransaction, type PgDatabase, type Queryable } from "./pg-database.ts";

/** The advisory lock every append takes (pg-database.ts `lockForTransaction`). */
export const AUDIT_LOCK = "grantbot.audit";

type AuditRow = {
  seq: number;
  at: number;
  actor: string;
  action: string;
  grant_id: string | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

function rowToRecord(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    grantId: row.grant_id,
    // Keys in sorted order, as the SQLite log returns them (JSONB orders keys its own way).
    data: JSON.parse(canonicalJson(row.data)) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The hash a row should have (JSONB keeps any JSON value; the hash sorts keys itself). */
function contentHash(row: AuditRow): string {
  const { seq, at, actor, action, grant_id: grantId, data, prev_hash: prevHash } = row;
  return rowHash({ seq, at, actor, action, grantId, data, prevHash });
}

const PAGE = 500;

/** An appended row waiting for its transaction's commit to join the chain. */
type PendingRow = { at: number; actor: string; action: string; grantId: string | null; data: Record<string, unknown> };
/** The key of those rows' buffer and commit hook in the transaction (PgDatabase). */
const PENDING = Symbol("pending audit rows");

export class PgAuditLog implements AuditLog {
  constructor(private readonly db: PgDatabase) {}

  /**
   * Appends one row, hash-chained, committed with the caller's transaction (its own when there is
   * none). Inside a transaction the row is only collected: the transaction's rows join the chain
   * just before it commits (`writePending`), so the chain's lock is held for that moment, not for
   * the whole transaction — several instances' transactions do their work side by side and queue
   * only to append. A row appended in a savepoint that rolls back is dropped with it. Throws
   * `bad_input` when any string in the entry looks like a secret (JWT, Slack/GitHub token, PEM);
   * nothing is written.
   */
  async append(entry: AuditEntry): Promise<void> {
    assertNoSecrets({ actor: entry.actor, action: entry.action, grantId: entry.grantId ?? null }, "entry");
    assertNoSecrets(entry.data ?? {});
    // Store (and hash) exactly what JSON round-trips to, so verify() recomputes the same value.
    const data = JSON.parse(canonicalJson(entry.data ?? {})) as Record<string, unknown>;
    const pending: PendingRow = { at: entry.at, actor: entry.actor, action: entry.action, grantId: entry.grantId ?? null, data };
    const collect = async () => {
      this.db.transactionBuffer<PendingRow>(PENDING)!.push(pending);
      this.db.beforeCommit(PENDING, () => this.writePending());
    };
    // In the caller's transaction: no savepoint of its own (nothing is written until the commit).
    if (this.db.inTransaction) await collect();
    else await this.db.transaction(collect);
  }

  /**
   * Writes this transaction's collected rows at the chain's head: under the chain's advisory lock
   * (held until the commit right after), one round trip for all of them (`audit_append`, whose
   * triggers check each row extends the chain). Reads in the same transaction call it first, so
   * they see the rows appended before them.
   */
  private async writePending(): Promise<void> {
    const pending = this.db.transactionBuffer<PendingRow>(PENDING);
    if (!pending || pending.length === 0) return;
    const batch = pending.splice(0);
    await lockForTransaction(this.db, AUDIT_LOCK);
    const { rows } = await this.db.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE id = 1");
    let head = rows[0] ?? { seq: 0, hash: GENESIS_HASH };
    const chained = batch.map((row) => {
      const fields = { seq: head.seq + 1, at: row.at, actor: row.actor, action: row.action, grantId: row.grantId, data: row.data, prevHash: head.hash };
      const hash = rowHash(fields);
      head = { seq: fields.seq, hash };
      return { seq: fields.seq, at: fields.at, actor: fields.actor, action: fields.action, grant_id: fields.grantId, data: fields.data, prev_hash: fields.prevHash, hash };
    });
    await this.db.query("SELECT audit_append($1::jsonb)", [JSON.stringify(chained)]);
  }

  /**
   * Re-computes the chain from one snapshot; lists every row that was edited, deleted or inserted
   * out of order, and a cut tail (through audit_head), with the SQLite log's messages.
   */
  async verify(): Promise<{ ok: boolean; rows: number; problems: string[] }> {
    await this.writePending();
    return this.snapshot(async (q) => {
      const problems: string[] = [];
      let rows = 0;
      let expectedSeq = 1;
      let prevHash = GENESIS_HASH;
      for await (const row of pages(q)) {
        rows++;
        if (row.seq !== expectedSeq) {
          const missing = row.seq - 1 === expectedSeq ? `seq ${expectedSeq} is` : `seqs ${expectedSeq}..${row.seq - 1} are`;
          problems.push(`seq ${row.seq}: ${missing} missing (row deleted)`);
        } else if (row.prev_hash !== prevHash) {
          problems.push(`seq ${row.seq}: prev_hash does not match the hash of seq ${row.seq - 1} (row replaced or re-hashed)`);
        }
        if (contentHash(row) !== row.hash) problems.push(`seq ${row.seq}: content does not match its hash (row edited)`);
        expectedSeq = row.seq + 1;
        prevHash = row.hash;
      }
      const head = (await q.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE id = 1")).rows[0];
      const lastSeq = expectedSeq - 1;
      if (!head) {
        problems.push("audit_head is missing (the log's end cannot be checked)");
      } else if (head.seq > lastSeq) {
        const which = head.seq - lastSeq === 1 ? `seq ${head.seq} is` : `seqs ${lastSeq + 1}..${head.seq} are`;
        problems.push(`seq ${head.seq}: ${which} missing at the end of the log (audit_head says ${head.seq}, last row is ${lastSeq})`);
      } else if (head.seq < lastSeq) {
        problems.push(`seq ${lastSeq}: rows after seq ${head.seq} were not appended by grantbot (audit_head says ${head.seq})`);
      } else if (head.hash !== prevHash) {
        problems.push(`seq ${lastSeq}: hash does not match audit_head (last row replaced)`);
      }
      return { ok: problems.length === 0, rows, problems };
    });
  }

  /** All rows in order (the port's `all`): streamed page by page from one snapshot, see `records()`. */
  all(): AsyncIterable<AuditRecord> {
    return this.records();
  }

  /**
   * All rows in order, streamed page by page from one snapshot (export of a large log without
   * holding it in memory). Holds one pooled connection until the iteration ends or is abandoned.
   */
  async *records(): AsyncIterable<AuditRecord> {
    await this.writePending();
    if (this.db.inTransaction) {
      for await (const row of pages(this.db)) yield rowToRecord(row);
      return;
    }
    const client = await this.db.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      for await (const row of pages(client as Queryable)) yield rowToRecord(row);
    } finally {
      // Read-only: ROLLBACK ends it the same as COMMIT, also when the iteration was abandoned.
      await client.query("ROLLBACK").catch(() => (broken = true));
      client.release(broken);
    }
  }

  /** The rows of one grant, in order. */
  async forGrant(grantId: string): Promise<AuditRecord[]> {
    await this.writePending();
    const { rows } = await this.db.query<AuditRow>("SELECT * FROM audit_log WHERE grant_id = $1 ORDER BY seq", [grantId]);
    return rows.map(rowToRecord);
  }

  /** Runs `fn` in a read-only REPEATABLE READ snapshot (the caller's transaction, when in one). */
  private async snapshot<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return fn(this.db);
    const client = await this.db.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      return await fn(client as Queryable);
    } finally {
      await client.query("ROLLBACK").catch(() => (broken = true));
      client.release(broken);
    }
  }
}

/** Every audit row in seq order, read in pages of PAGE rows (keyset pagination). */
async function* pages(q: Queryable): AsyncGenerator<AuditRow> {
  let after = -1;
  for (;;) {
    const { rows } = await q.query<AuditRow>("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", [after, PAGE]);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.seq;
  }
}

/**
 * `exportJsonLines` for the PostgreSQL log: every record as one JSON Lines line, in the SQLite
 * export's format. Returns the number of lines.
 */
export async function exportPgJsonLines(log: PgAuditLog, write: (line: string) => void | Promise<void>): Promise<number> {
  let count = 0;
  for await (const record of log.records()) {
    const { seq, at, actor, action, grantId, data, prevHash, hash } = record;
    await write(JSON.stringify({ seq, at, atIso: new Date(at).toISOString(), actor, action, grantId: grantId ?? null, data, prevHash, hash }) + "\n");
    count++;
  }
  return count;
}
