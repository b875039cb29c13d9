/**
 * Offboarding cases on SQLite. At most one open case per person (a partial unique index), so a
 * leaver reported by both the poll and the push is offboarded once.
 */
import type Database from "better-sqlite3";
import type { OffboardingCase, OffboardingStore } from "../../services/ports/index.ts";

interface CaseRow {
  id: string;
  email: string;
  source: string;
  cause: OffboardingCase["cause"];
  started_at: number;
  revoked: string;
  cancelled: string;
  orphans: string;
  pending_notice_at: number | null;
  completed_at: number | null;
}

function toCase(row: CaseRow): OffboardingCase {
  return {
    id: row.id,
    email: row.email,
    source: row.source,
    cause: row.cause,
    startedAt: row.started_at,
    revoked: JSON.parse(row.revoked) as string[],
    cancelled: JSON.parse(row.cancelled) as string[],
    orphans: JSON.parse(row.orphans) as string[],
    pendingNoticeAt: row.pending_notice_at,
    completedAt: row.completed_at,
  };
}

/** Patchable field -> column, and whether it is stored as JSON. */
const PATCH_COLUMNS: Record<string, [column: string, json: boolean]> = {
  revoked: ["revoked", true],
  cancelled: ["cancelled", true],
  orphans: ["orphans", true],
  pendingNoticeAt: ["pending_notice_at", false],
  completedAt: ["completed_at", false],
};

export class SqliteOffboardingStore {
  private readonly stmts;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO offboarding_cases (id, email, source, cause, started_at, revoked, cancelled, orphans, pending_notice_at, completed_at)
         VALUES (@id, @email, @source, @cause, @started_at, @revoked, @cancelled, @orphans, @pending_notice_at, @completed_at)`,
      ),
      get: db.prepare<[string], CaseRow>("SELECT * FROM offboarding_cases WHERE id = ?"),
      open: db.prepare<[string], CaseRow>("SELECT * FROM offboarding_cases WHERE email = ? AND completed_at IS NULL"),
      recent: db.prepare<[number], CaseRow>("SELECT * FROM offboarding_cases ORDER BY started_at DESC, id DESC LIMIT ?"),
    };
  }

  insert(c: OffboardingCase): void {
    this.stmts.insert.run({
      id: c.id,
      email: c.email,
      source: c.source,
      cause: c.cause,
      started_at: c.startedAt,
      revoked: JSON.stringify(c.revoked),
      cancelled: JSON.stringify(c.cancelled),
      orphans: JSON.stringify(c.orphans),
      pending_notice_at: c.pendingNoticeAt,
      completed_at: c.completedAt,
    });
  }

  get(id: string): OffboardingCase | null {
    const row = this.stmts.get.get(id);
    return row ? toCase(row) : null;
  }

  openFor(email: string): OffboardingCase | null {
    const row = this.stmts.open.get(email.toLowerCase());
    return row ? toCase(row) : null;
  }

  update(id: string, patch: Parameters<OffboardingStore["update"]>[1]): boolean {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const entry = PATCH_COLUMNS[key];
      if (!entry) throw new Error(`unknown offboarding case field ${key}`);
      sets.push(`${entry[0]} = ?`);
      params.push(entry[1] ? JSON.stringify(value) : value);
    }
    if (sets.length === 0) return this.get(id)?.completedAt === null;
    const sql = `UPDATE offboarding_cases SET ${sets.join(", ")} WHERE id = ? AND completed_at IS NULL`;
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt.run(...params, id).changes === 1;
  }

  recent(limit: number): OffboardingCase[] {
    return this.stmts.recent.all(limit).map(toCase);
  }
}
