/**
 * Offboarding cases on PostgreSQL; same behaviour as SqliteOffboardingStore. At most one open case
 * per person is a partial unique index, so a leaver reported by two instances at once (the poll on
 * one, a push on another) is offboarded once: the second insert fails with a unique violation.
 */
import type { OffboardingCase, OffboardingStore } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type CaseRow = {
  id: string;
  email: string;
  source: string;
  cause: OffboardingCase["cause"];
  started_at: number;
  revoked: string[];
  cancelled: string[];
  orphans: string[];
  pending_notice_at: number | null;
  completed_at: number | null;
};

const COLUMNS = "id, email, source, cause, started_at, revoked, cancelled, orphans, pending_notice_at, completed_at";

function toCase(row: CaseRow): OffboardingCase {
  return {
    id: row.id,
    email: row.email,
    source: row.source,
    cause: row.cause,
    startedAt: row.started_at,
    revoked: row.revoked,
    cancelled: row.cancelled,
    orphans: row.orphans,
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

type OffboardingPatch = Parameters<OffboardingStore["update"]>[1];

export class PgOffboardingStore implements AsyncPort<OffboardingStore> {
  constructor(private readonly db: Queryable) {}

  /** Inserts a case. Throws (unique violation, SQLSTATE 23505) when the person has an open case already, or the id exists. */
  async insert(c: OffboardingCase): Promise<void> {
    await this.db.query(
      `INSERT INTO offboarding_cases (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10)`,
      [c.id, c.email, c.source, c.cause, c.startedAt, JSON.stringify(c.revoked), JSON.stringify(c.cancelled), JSON.stringify(c.orphans), c.pendingNoticeAt, c.completedAt],
    );
  }

  /** The case with this id, or null. */
  async get(id: string): Promise<OffboardingCase | null> {
    const { rows } = await this.db.query<CaseRow>(`SELECT ${COLUMNS} FROM offboarding_cases WHERE id = $1`, [id]);
    return rows[0] ? toCase(rows[0]) : null;
  }

  /** The open (not completed) case of a person (email matched lower-cased), if any. */
  async openFor(email: string): Promise<OffboardingCase | null> {
    const { rows } = await this.db.query<CaseRow>(`SELECT ${COLUMNS} FROM offboarding_cases WHERE email = $1 AND completed_at IS NULL`, [email.toLowerCase()]);
    return rows[0] ? toCase(rows[0]) : null;
  }

  /**
   * Applies the patch while the case is open (one conditional UPDATE); false when it was completed
   * already or does not exist. An empty patch changes nothing and answers whether the case is open.
   * Throws on a field the port does not allow.
   */
  async update(id: string, patch: OffboardingPatch): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const entry = PATCH_COLUMNS[key];
      if (!entry) throw new Error(`unknown offboarding case field ${key}`);
      params.push(entry[1] ? JSON.stringify(value) : value);
      sets.push(`${entry[0]} = $${params.length}${entry[1] ? "::jsonb" : ""}`);
    }
    if (sets.length === 0) return (await this.get(id))?.completedAt === null;
    const result = await this.db.query(`UPDATE offboarding_cases SET ${sets.join(", ")} WHERE id = $1 AND completed_at IS NULL`, params);
    return result.rowCount === 1;
  }

  /** The most recently started cases first (ties: greater id first). */
  async recent(limit: number): Promise<OffboardingCase[]> {
    const { rows } = await this.db.query<CaseRow>(`SELECT ${COLUMNS} FROM offboarding_cases ORDER BY started_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toCase);
  }
}
