/**
 * Use of grants (issue 15), recorded off the introspection hot path: `record` only updates an
 * in-memory aggregate per grant (first use, last use, count); `flush` (every few seconds from the
 * schedule, and when the store closes) writes every aggregate in ONE transaction, merging into
 * the stored row (first = min, last = max, uses = sum).
 *
 * What a crash can lose: uses recorded since the last flush — at most one flush interval's worth
 * of counts and last-use times (and the first use of a grant used only in that interval). A
 * graceful stop loses nothing. A failed write keeps the aggregates for the next flush.
 */
import type Database from "better-sqlite3";
import type { GrantUsage } from "../../domain/usage.ts";

interface UsageRow {
  grant_id: string;
  first_use: number;
  last_use: number;
  uses: number;
}

/** Ids per SELECT (SQLite's default limit of host parameters is far above this). */
const CHUNK = 500;

function merge(into: Map<string, GrantUsage>, u: GrantUsage): void {
  const had = into.get(u.grantId);
  if (!had) {
    into.set(u.grantId, { ...u });
    return;
  }
  had.firstUse = Math.min(had.firstUse, u.firstUse);
  had.lastUse = Math.max(had.lastUse, u.lastUse);
  had.uses += u.uses;
}

export class SqliteUsageLog {
  private buffer = new Map<string, GrantUsage>();
  private readonly upsert: Database.Statement;
  private readonly selects = new Map<number, Database.Statement<string[], UsageRow>>();

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO grant_usage (grant_id, first_use, last_use, uses) VALUES (?, ?, ?, ?)
       ON CONFLICT (grant_id) DO UPDATE SET first_use = min(first_use, excluded.first_use), last_use = max(last_use, excluded.last_use), uses = uses + excluded.uses`,
    );
  }

  record(grantId: string, at: number): void {
    const had = this.buffer.get(grantId);
    if (had === undefined) {
      this.buffer.set(grantId, { grantId, firstUse: at, lastUse: at, uses: 1 });
      return;
    }
    if (at > had.lastUse) had.lastUse = at;
    if (at < had.firstUse) had.firstUse = at;
    had.uses++;
  }

  /** Uses waiting for the next flush (for tests and metrics). */
  get pending(): number {
    return this.buffer.size;
  }

  flush(): number {
    if (this.buffer.size === 0 || !this.db.open) return 0;
    const batch = this.buffer;
    this.buffer = new Map();
    try {
      this.db.transaction(() => {
        for (const u of batch.values()) this.upsert.run(u.grantId, u.firstUse, u.lastUse, u.uses);
      })();
    } catch (err) {
      // Keep them (merged with any recorded meanwhile) for the next flush.
      for (const u of batch.values()) merge(this.buffer, u);
      throw err;
    }
    return batch.size;
  }

  forGrants(grantIds: readonly string[]): Map<string, GrantUsage> {
    const out = new Map<string, GrantUsage>();
    const ids = [...new Set(grantIds)];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      for (const row of this.select(chunk.length).all(...chunk)) {
        out.set(row.grant_id, { grantId: row.grant_id, firstUse: row.first_use, lastUse: row.last_use, uses: row.uses });
      }
    }
    for (const id of ids) {
      const pending = this.buffer.get(id);
      if (pending) merge(out, pending);
    }
    return out;
  }

  private select(n: number): Database.Statement<string[], UsageRow> {
    let stmt = this.selects.get(n);
    if (!stmt) {
      stmt = this.db.prepare<string[], UsageRow>(`SELECT grant_id, first_use, last_use, uses FROM grant_usage WHERE grant_id IN (${Array.from({ length: n }, () => "?").join(", ")})`);
      this.selects.set(n, stmt);
    }
    return stmt;
  }
}
