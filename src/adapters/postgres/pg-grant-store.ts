/**
 * GrantStore on PostgreSQL, with the SQLite store's semantics (same results, order and errors).
 * `update` locks the grant's row (`SELECT … FOR UPDATE`) before checking the transition, so the
 * state it checks is the state it changes, and writes with a compare-and-set on the state: of two
 * instances racing on one grant, exactly one moves it (CONVENTIONS.md §2).
 *
 * Ties are ordered by id in byte order, as SQLite does: every ORDER BY on text says `COLLATE "C"`,
 * whatever the database's default collation (en_US.UTF-8 would order "a-b" and "ab" otherwise).
 */
import { assertTransition, canTransition, GRANT_STATES, type Grant, type GrantState } from "../../domain/grant.ts";
import type { Clock, GrantEnd, GrantStore } from "../../services/ports/index.ts";
import { columnOf, encodeField, firstEndPerId, GRANT_FIELDS, patchAssignments, rowToGrant, type GrantRow } from "../sqlite/grant-rows.ts";
import type { AsyncPort } from "./async-port.ts";
import type { PgDatabase } from "./pg-database.ts";

type PgGrantRow = Omit<GrantRow, "approved_by" | "access" | "credential_message"> & {
  approved_by: unknown;
  access: unknown;
  credential_message: unknown;
};

const COLUMNS = GRANT_FIELDS.map(columnOf);
const INSERT_SQL = `INSERT INTO grants (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;
const BY_REQUEST = `ORDER BY requested_at, id COLLATE "C"`;

/**
 * `endMany` in one statement. `$1`: the ends as a JSON array. The grants still in their `from`
 * state are first locked in id order (an InitPlan, `ARRAY(…)`, runs before the UPDATE scans), so
 * two instances ending overlapping batches wait on each other in the same order instead of
 * deadlocking; a row another writer moved meanwhile fails the re-checked state and is skipped.
 */
const END_MANY_SQL = `
WITH e AS MATERIALIZED (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(id text, "from" text, state text, ended_at bigint, end_reason text)),
locked AS (
  SELECT g.id FROM grants g JOIN e ON g.id = e.id
  WHERE g.state = e."from"
  ORDER BY g.id COLLATE "C"
  FOR UPDATE OF g)
UPDATE grants g SET state = e.state, ended_at = e.ended_at, end_reason = e.end_reason, updated_at = e.ended_at
FROM e
WHERE g.id = ANY(ARRAY(SELECT id FROM locked)) AND g.id = e.id AND g.state = e."from"
RETURNING g.*`;

/** A row as PostgreSQL returns it (JSONB already parsed) -> the Grant the SQLite store returns. */
function toGrant(row: PgGrantRow): Grant {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  return rowToGrant({
    ...row,
    approved_by: JSON.stringify(row.approved_by),
    access: json(row.access),
    credential_message: json(row.credential_message),
  });
}

export class PgGrantStore implements AsyncPort<GrantStore> {
  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
  ) {}

  /** Throws (PostgreSQL unique violation, code 23505) when the id or PR number already exists. */
  async insert(grant: Grant): Promise<void> {
    await this.db.query(INSERT_SQL, GRANT_FIELDS.map((field) => encodeField(field, grant[field])));
  }

  /** The grant, or null. */
  async get(id: string): Promise<Grant | null> {
    const { rows } = await this.db.query<PgGrantRow>("SELECT * FROM grants WHERE id = $1", [id]);
    return rows[0] ? toGrant(rows[0]) : null;
  }

  /** The grant whose PR has this number, or null. */
  async getByPrNumber(prNumber: number): Promise<Grant | null> {
    const { rows } = await this.db.query<PgGrantRow>("SELECT * FROM grants WHERE pr_number = $1", [prNumber]);
    return rows[0] ? toGrant(rows[0]) : null;
  }

  /**
   * Compare-and-set. `patch.state` equal to the current state is not a transition and is allowed
   * (e.g. recording the credential DM of an active grant). `updatedAt` comes from the patch or
   * the clock. Throws `invalid_transition` for an illegal state change, `bad_input` for an
   * unknown field; returns false when the grant is missing or not in one of `fromStates`.
   * One statement, atomic on its own: the compare-and-set is the UPDATE's condition (re-checked
   * on the locked row under READ COMMITTED), limited to the states the change is legal from; only
   * when no row changed is the grant read again, to tell "not in one of `fromStates`" (false) from
   * an illegal transition (thrown).
   */
  async update(id: string, fromStates: readonly GrantState[], patch: Partial<Omit<Grant, "id">>): Promise<boolean> {
    if (fromStates.length === 0) return false;
    const { sets, params } = patchAssignments(patch, this.clock.now(), (n) => `$${n}`);
    const target = patch.state;
    const legal = target === undefined ? [...fromStates] : fromStates.filter((from) => from === target || canTransition(from, target));
    if (legal.length > 0) {
      params.push(id, legal);
      const result = await this.db.query(`UPDATE grants SET ${sets.join(", ")} WHERE id = $${params.length - 1} AND state = ANY($${params.length}::text[])`, params);
      if (result.rowCount === 1) return true;
    }
    if (target === undefined || legal.length === fromStates.length) return false;
    const { rows } = await this.db.query<{ state: GrantState }>("SELECT state FROM grants WHERE id = $1", [id]);
    const current = rows[0]?.state;
    // Changed meanwhile to a state the change is legal from: another writer's turn, not an error.
    if (current === undefined || !fromStates.includes(current) || legal.includes(current)) return false;
    assertTransition(current, target);
    return false;
  }

  /** The grants with these ids that exist, in no particular order (an id given twice: once). */
  async getMany(ids: readonly string[]): Promise<Grant[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<PgGrantRow>("SELECT * FROM grants WHERE id = ANY($1::text[])", [[...ids]]);
    return rows.map(toGrant);
  }

  /**
   * Ends many grants in one statement (END_MANY_SQL): each a compare-and-set on `from`. An id given
   * twice is ended by its first end. Every transition is checked before anything is sent: one
   * illegal `from -> state` throws `invalid_transition` and changes no grant. `from === state` is
   * not a transition and is allowed, as in `update`. Returns the changed grants, as they are after.
   */
  async endMany(ends: readonly GrantEnd[]): Promise<Grant[]> {
    const unique = firstEndPerId(ends);
    if (unique.length === 0) return [];
    const { rows } = await this.db.query<PgGrantRow>(END_MANY_SQL, [JSON.stringify(unique.map((end) => ({
      id: end.id, from: end.from, state: end.state, ended_at: end.endedAt, end_reason: end.endReason,
    })))]);
    return rows.map(toGrant);
  }

  /** Grants in any of `states`, oldest request first (ties by id); `limit` < 0 = all. */
  async listByState(states: readonly GrantState[], limit = -1): Promise<Grant[]> {
    if (states.length === 0) return [];
    const { rows } = await this.db.query<PgGrantRow>(
      `SELECT * FROM grants WHERE state = ANY($1::text[]) ${BY_REQUEST} LIMIT $2`,
      [[...states], limit < 0 ? null : limit],
    );
    return rows.map(toGrant);
  }

  /** Grants of one subject in any of `states`, oldest request first. */
  async listBySubject(subject: string, states: readonly GrantState[]): Promise<Grant[]> {
    if (states.length === 0) return [];
    const { rows } = await this.db.query<PgGrantRow>(
      `SELECT * FROM grants WHERE subject = $1 AND state = ANY($2::text[]) ${BY_REQUEST}`,
      [subject, [...states]],
    );
    return rows.map(toGrant);
  }

  /** Grants of any of these subjects in any of `states`, oldest request first (ties by id). */
  async listBySubjects(subjects: readonly string[], states: readonly GrantState[]): Promise<Grant[]> {
    if (subjects.length === 0 || states.length === 0) return [];
    const { rows } = await this.db.query<PgGrantRow>(
      `SELECT * FROM grants WHERE subject = ANY($1::text[]) AND state = ANY($2::text[]) ${BY_REQUEST}`,
      [[...subjects], [...states]],
    );
    return rows.map(toGrant);
  }

  /** Active grants whose expiresAt <= `at`, earliest first (ties by id), at most `limit`. */
  async listDueForExpiry(at: number, limit: number): Promise<Grant[]> {
    const { rows } = await this.db.query<PgGrantRow>(
      `SELECT * FROM grants WHERE state = 'active' AND expires_at <= $1 ORDER BY expires_at, id COLLATE "C" LIMIT $2`,
      [at, limit < 0 ? null : limit],
    );
    return rows.map(toGrant);
  }

  /** Earliest expiresAt among active grants, or null. */
  async nextExpiry(): Promise<number | null> {
    const { rows } = await this.db.query<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM grants WHERE state = 'active'");
    return rows[0]?.next ?? null;
  }

  /** The number of grants in each state (0 for states without grants). */
  async countByState(): Promise<Record<GrantState, number>> {
    const counts = Object.fromEntries(GRANT_STATES.map((s) => [s, 0])) as Record<GrantState, number>;
    const { rows } = await this.db.query<{ state: GrantState; n: number }>("SELECT state, COUNT(*) AS n FROM grants GROUP BY state");
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }
}
