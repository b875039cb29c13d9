/**
 * Use of grants (`grant_usage`) on PostgreSQL, with SqliteUsageLog's design: `record` only updates
 * an in-memory aggregate per grant (first use, last use, count); `flush` writes every aggregate in
 * ONE statement, merging into the stored row.
 *
 * Several instances: each keeps and flushes its own increments, so the write ADDS to the stored
 * count (`uses = t.uses + excluded.uses`), keeps the earliest first use and the latest last use —
 * never overwrites. Rows are written in grant-id order, so two instances flushing overlapping sets
 * lock the rows in the same order and cannot deadlock.
 *
 * Within one instance, `flush` and `forGrants` take turns: a read never runs while a batch is on its
 * way to the database (it would be in neither the buffer nor the table yet, or in both).
 *
 * What a crash can lose: uses recorded since the last flush. A failed write keeps the aggregates
 * for the next flush.
 */
import type { GrantUsage } from "../../domain/usage.ts";
import type { UsageLog } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type UsageRow = { grant_id: string; first_use: number; last_use: number; uses: number };

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

export class PgUsageLog implements AsyncPort<Omit<UsageLog, "record">>, Pick<UsageLog, "record"> {
  private buffer = new Map<string, GrantUsage>();
  /** The last flush or read in progress: the next one starts after it settles. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Queryable) {}

  /** One use of a grant: a Map update, written by the next `flush`. Never throws. */
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

  /** Grants with uses waiting for the next flush (for tests and metrics). */
  get pending(): number {
    return this.buffer.size;
  }

  /**
   * Adds the buffered uses to the stored rows in one statement; returns how many grants were
   * written. On failure the uses stay buffered (merged with any recorded meanwhile) and it throws.
   */
  flush(): Promise<number> {
    return this.inTurn(async () => {
      if (this.buffer.size === 0) return 0;
      const batch = this.buffer;
      this.buffer = new Map();
      const rows = [...batch.values()].sort((a, b) => (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0));
      try {
        await this.db.query(
          `INSERT INTO grant_usage AS t (grant_id, first_use, last_use, uses)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
           ON CONFLICT (grant_id) DO UPDATE SET first_use = LEAST(t.first_use, excluded.first_use),
             last_use = GREATEST(t.last_use, excluded.last_use), uses = t.uses + excluded.uses`,
          [rows.map((u) => u.grantId), rows.map((u) => u.firstUse), rows.map((u) => u.lastUse), rows.map((u) => u.uses)],
        );
      } catch (err) {
        for (const u of batch.values()) merge(this.buffer, u);
        throw err;
      }
      return batch.size;
    });
  }

  /** What is known of these grants' use: stored (by every instance) plus this instance's unflushed uses. Grants never used are absent. */
  forGrants(grantIds: readonly string[]): Promise<Map<string, GrantUsage>> {
    return this.inTurn(async () => {
      const ids = [...new Set(grantIds)];
      const out = new Map<string, GrantUsage>();
      if (ids.length === 0) return out;
      const { rows } = await this.db.query<UsageRow>("SELECT grant_id, first_use, last_use, uses FROM grant_usage WHERE grant_id = ANY($1::text[])", [ids]);
      for (const row of rows) out.set(row.grant_id, { grantId: row.grant_id, firstUse: row.first_use, lastUse: row.last_use, uses: row.uses });
      for (const id of ids) {
        const pending = this.buffer.get(id);
        if (pending) merge(out, pending);
      }
      return out;
    });
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }
}
