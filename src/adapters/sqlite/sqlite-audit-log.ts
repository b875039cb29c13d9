/**
 * The tamper-evident audit log. Each row carries the sha256 of its own content and of the
 * previous row's hash; audit_head records the newest (seq, hash). Triggers make the table
 * append-only for the application; verify() catches what someone with write access to the file
 * could still do by hand — edit a row, delete rows, cut the tail — unless they also rewrite
 * every later hash and audit_head consistently (export the log elsewhere to guard against that).
 */
import type Database from "better-sqlite3";
import type { AuditEntry, AuditLog, AuditRecord } from "../../services/ports/index.ts";
import { assertNoSecrets, canonicalJson, GENESIS_HASH, rowHash } from "./audit-chain.ts";
import { inTransaction } from "./database.ts";

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  grant_id: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

function rowToRecord(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    grantId: row.grant_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const PAGE = 500;

/** The hash a row should have; null when its data is not even JSON (the file was edited by hand). */
function contentHash(row: AuditRow): string | null {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(row.data) as Record<string, unknown>;
  } catch {
    return null;
  }
  const { seq, at, actor, action, grant_id: grantId, prev_hash: prevHash } = row;
  return rowHash({ seq, at, actor, action, grantId, data, prevHash });
}

export class SqliteAuditLog {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      head: db.prepare<[], { seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE id = 1"),
      insert: db.prepare(
        `INSERT INTO audit_log (seq, at, actor, action, grant_id, data, prev_hash, hash)
         VALUES (@seq, @at, @actor, @action, @grantId, @data, @prevHash, @hash)`,
      ),
      advance: db.prepare("UPDATE audit_head SET seq = @seq, hash = @hash WHERE id = 1"),
      page: db.prepare<[number, number], AuditRow>("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"),
      forGrant: db.prepare<[string], AuditRow>("SELECT * FROM audit_log WHERE grant_id = ? ORDER BY seq"),
    };
  }

  /**
   * Appends one row and moves audit_head, atomically (and inside the caller's transaction when
   * there is one, so the audit row commits with the change it describes). Throws `bad_input`
   * when any string in the entry looks like a secret (JWT, Slack/GitHub token, PEM).
   */
  append(entry: AuditEntry): void {
    this.appendRecord(entry);
  }

  /** `append`, returning the row as written (its seq and hash: SQLite knows them at once). */
  appendRecord(entry: AuditEntry): AuditRecord {
    assertNoSecrets({ actor: entry.actor, action: entry.action, grantId: entry.grantId ?? null }, "entry");
    assertNoSecrets(entry.data ?? {});
    // Store (and hash) exactly what JSON round-trips to, so verify() recomputes the same bytes.
    const data = JSON.parse(canonicalJson(entry.data ?? {})) as Record<string, unknown>;
    return inTransaction(this.db, () => {
      const head = this.stmts.head.get() ?? { seq: 0, hash: GENESIS_HASH };
      const fields = {
        seq: head.seq + 1,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        grantId: entry.grantId ?? null,
        data,
        prevHash: head.hash,
      };
      const hash = rowHash(fields);
      this.stmts.insert.run({ ...fields, data: canonicalJson(data), hash });
      this.stmts.advance.run({ seq: fields.seq, hash });
      return { ...fields, hash };
    });
  }

  verify(): { ok: boolean; rows: number; problems: string[] } {
    const problems: string[] = [];
    let rows = 0;
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    for (const row of this.rows()) {
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
    const head = this.stmts.head.get();
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
  }

  /** Lazily, in pages, so exporting a large log neither loads it whole nor holds a cursor open. */
  *all(): Iterable<AuditRecord> {
    for (const row of this.rows()) yield rowToRecord(row);
  }

  forGrant(grantId: string): AuditRecord[] {
    return this.stmts.forGrant.all(grantId).map(rowToRecord);
  }

  private *rows(): Generator<AuditRow> {
    let after = -1;
    for (;;) {
      const page = this.stmts.page.all(after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.seq;
    }
  }
}

/**
 * Writes every record as one JSON Lines line (each `write` call gets one line ending in "\n").
 * Lines carry seq, prevHash and hash, so a copy can be re-verified away from this database.
 * Returns the number of lines.
 */
export async function exportJsonLines(log: AuditLog, write: (line: string) => void): Promise<number> {
  let count = 0;
  for await (const record of log.all()) {
    const { seq, at, actor, action, grantId, data, prevHash, hash } = record;
    write(JSON.stringify({ seq, at, atIso: new Date(at).toISOString(), actor, action, grantId: grantId ?? null, data, prevHash, hash }) + "\n");
    count++;
  }
  return count;
}
