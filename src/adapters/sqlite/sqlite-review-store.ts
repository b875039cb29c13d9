/**
 * Access reviews on SQLite (migration 10). At most one open review PR per resource: a partial
 * unique index, so `insert` of a second one is refused by the database, whatever the timing.
 */
import type Database from "better-sqlite3";
import type { AccessReview, MissedDeadline, ReviewMember, ReviewOutcome, ReviewState, ReviewStore } from "../../services/ports/index.ts";

interface ReviewRow {
  id: string;
  resource: string;
  kind: AccessReview["kind"];
  cause: AccessReview["cause"];
  state: ReviewState;
  branch: string;
  members: string;
  pr_number: number | null;
  pr_url: string | null;
  opened_at: number;
  closed_at: number | null;
  outcome: string | null;
  reminded_at: number | null;
  base_sha: string | null;
}

interface MissedRow {
  resource: string;
  email: string;
  deadline: string;
  on_missed: MissedDeadline["onMissed"];
  at: number;
}

function toReview(row: ReviewRow): AccessReview {
  return {
    id: row.id,
    resource: row.resource,
    kind: row.kind,
    cause: row.cause,
    state: row.state,
    branch: row.branch,
    members: JSON.parse(row.members) as ReviewMember[],
    prNumber: row.pr_number,
    prUrl: row.pr_url,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as ReviewOutcome),
    remindedAt: row.reminded_at,
    baseSha: row.base_sha,
  };
}

const PATCH_COLUMNS: Record<string, [column: string, json: boolean]> = {
  state: ["state", false],
  prNumber: ["pr_number", false],
  prUrl: ["pr_url", false],
  closedAt: ["closed_at", false],
  outcome: ["outcome", true],
  remindedAt: ["reminded_at", false],
  baseSha: ["base_sha", false],
};

export class SqliteReviewStore {
  private readonly stmts;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO access_reviews (id, resource, kind, cause, state, branch, members, pr_number, pr_url, opened_at, closed_at, outcome, reminded_at, base_sha)
         VALUES (@id, @resource, @kind, @cause, @state, @branch, @members, @pr_number, @pr_url, @opened_at, @closed_at, @outcome, @reminded_at, @base_sha)
         ON CONFLICT DO NOTHING`,
      ),
      get: db.prepare<[string], ReviewRow>("SELECT * FROM access_reviews WHERE id = ?"),
      byPr: db.prepare<[number], ReviewRow>("SELECT * FROM access_reviews WHERE pr_number = ? ORDER BY opened_at DESC LIMIT 1"),
      openReview: db.prepare<[string], ReviewRow>("SELECT * FROM access_reviews WHERE resource = ? AND kind = 'review' AND state IN ('opening', 'open')"),
      recent: db.prepare<[number], ReviewRow>("SELECT * FROM access_reviews ORDER BY opened_at DESC, id DESC LIMIT ?"),
      noteStanding: db.prepare("INSERT INTO standing_seen (resource, email, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
      standingSince: db.prepare<[string, string], { first_seen: number }>("SELECT first_seen FROM standing_seen WHERE resource = ? AND email = ?"),
      markMissed: db.prepare("INSERT INTO standing_missed (resource, email, deadline, on_missed, at) VALUES (@resource, @email, @deadline, @onMissed, @at) ON CONFLICT DO NOTHING"),
      missed: db.prepare<[number], MissedRow>("SELECT * FROM standing_missed ORDER BY at DESC, resource, email LIMIT ?"),
    };
  }

  insert(r: AccessReview): boolean {
    const result = this.stmts.insert.run({
      id: r.id,
      resource: r.resource,
      kind: r.kind,
      cause: r.cause,
      state: r.state,
      branch: r.branch,
      members: JSON.stringify(r.members),
      pr_number: r.prNumber,
      pr_url: r.prUrl,
      opened_at: r.openedAt,
      closed_at: r.closedAt,
      outcome: r.outcome === null ? null : JSON.stringify(r.outcome),
      reminded_at: r.remindedAt,
      base_sha: r.baseSha,
    });
    return result.changes === 1;
  }

  get(id: string): AccessReview | null {
    const row = this.stmts.get.get(id);
    return row ? toReview(row) : null;
  }

  getByPr(prNumber: number): AccessReview | null {
    const row = this.stmts.byPr.get(prNumber);
    return row ? toReview(row) : null;
  }

  openReviewOf(resource: string): AccessReview | null {
    const row = this.stmts.openReview.get(resource);
    return row ? toReview(row) : null;
  }

  listByState(states: readonly ReviewState[]): AccessReview[] {
    if (states.length === 0) return [];
    const sql = `SELECT * FROM access_reviews WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY opened_at, id`;
    return (this.statement(sql).all(...states) as ReviewRow[]).map(toReview);
  }

  recent(limit: number): AccessReview[] {
    return this.stmts.recent.all(limit).map(toReview);
  }

  update(id: string, fromStates: readonly ReviewState[], patch: Parameters<ReviewStore["update"]>[2]): boolean {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const entry = PATCH_COLUMNS[key];
      if (!entry) throw new Error(`unknown access review field ${key}`);
      sets.push(`${entry[0]} = ?`);
      params.push(entry[1] && value !== null ? JSON.stringify(value) : value);
    }
    if (sets.length === 0 || fromStates.length === 0) return false;
    const sql = `UPDATE access_reviews SET ${sets.join(", ")} WHERE id = ? AND state IN (${fromStates.map(() => "?").join(", ")})`;
    return this.statement(sql).run(...params, id, ...fromStates).changes === 1;
  }

  noteStanding(members: readonly { resource: string; email: string }[], at: number): void {
    this.db.transaction(() => {
      for (const m of members) this.stmts.noteStanding.run(m.resource, m.email, at);
    })();
  }

  standingSince(resource: string, email: string): number | null {
    return this.stmts.standingSince.get(resource, email)?.first_seen ?? null;
  }

  markMissed(missed: MissedDeadline): boolean {
    return this.stmts.markMissed.run({ ...missed }).changes === 1;
  }

  missed(limit: number): MissedDeadline[] {
    return this.stmts.missed.all(limit).map((r) => ({ resource: r.resource, email: r.email, deadline: r.deadline, onMissed: r.on_missed, at: r.at }));
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }
}
