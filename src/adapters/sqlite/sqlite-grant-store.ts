/**
 * GrantStore on SQLite. `update` is a compare-and-set on the state column, so two workers (or a
 * webhook and the poller) racing on one grant cannot both move it (CONVENTIONS.md §2).
 */
import type Database from "better-sqlite3";
import { assertTransition, GRANT_STATES, type Grant, type GrantState } from "../../domain/grant.ts";
import type { Clock, GrantEnd } from "../../services/ports/index.ts";
import { inTransaction } from "./database.ts";
import { columnOf, firstEndPerId, GRANT_FIELDS, grantToParams, patchAssignments, rowToGrant, type GrantRow } from "./grant-rows.ts";

const INSERT_SQL = `INSERT INTO grants (${GRANT_FIELDS.map(columnOf).join(", ")})
VALUES (${GRANT_FIELDS.map((f) => `@${columnOf(f)}`).join(", ")})`;

export class SqliteGrantStore {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], GrantRow>;
  private readonly getManyStmt: Database.Statement<[string], GrantRow>;
  private readonly byPrStmt: Database.Statement<[number], GrantRow>;
  private readonly dueStmt: Database.Statement<[number, number], GrantRow>;
  private readonly nextExpiryStmt: Database.Statement<[], number | null>;
  private readonly countStmt: Database.Statement<[], { state: GrantState; n: number }>;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare(INSERT_SQL);
    this.getStmt = db.prepare("SELECT * FROM grants WHERE id = ?");
    this.getManyStmt = db.prepare("SELECT * FROM grants WHERE id IN (SELECT value FROM json_each(?))");
    this.byPrStmt = db.prepare("SELECT * FROM grants WHERE pr_number = ?");
    this.dueStmt = db.prepare(
      "SELECT * FROM grants WHERE state = 'active' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?",
    );
    this.nextExpiryStmt = db.prepare<[], number | null>("SELECT MIN(expires_at) FROM grants WHERE state = 'active'").pluck();
    this.countStmt = db.prepare("SELECT state, COUNT(*) AS n FROM grants GROUP BY state");
  }

  /** Throws (SQLite constraint error) when the id or PR number already exists. */
  insert(grant: Grant): void {
    this.insertStmt.run(grantToParams(grant));
  }

  get(id: string): Grant | null {
    const row = this.getStmt.get(id);
    return row ? rowToGrant(row) : null;
  }

  getByPrNumber(prNumber: number): Grant | null {
    const row = this.byPrStmt.get(prNumber);
    return row ? rowToGrant(row) : null;
  }

  /**
   * Compare-and-set. `patch.state` equal to the current state is not a transition and is allowed
   * (e.g. recording the credential DM of an active grant). `updatedAt` comes from the patch or
   * the clock. Throws `invalid_transition` for an illegal state change, `bad_input` for an
   * unknown field.
   */
  update(id: string, fromStates: readonly GrantState[], patch: Partial<Omit<Grant, "id">>): boolean {
    if (fromStates.length === 0) return false;
    return inTransaction(this.db, () => {
      const current = this.getStmt.get(id);
      if (!current || !fromStates.includes(current.state as GrantState)) return false;
      if (patch.state !== undefined && patch.state !== current.state) {
        assertTransition(current.state as GrantState, patch.state);
      }
      const { sets, params } = patchAssignments(patch, this.clock.now(), () => "?");
      const placeholders = fromStates.map(() => "?").join(", ");
      const info = this.prepared(`UPDATE grants SET ${sets.join(", ")} WHERE id = ? AND state IN (${placeholders})`)
        .run(...params, id, ...fromStates);
      return info.changes === 1;
    });
  }

  /** The grants with these ids that exist, in no particular order (an id given twice: once). */
  getMany(ids: readonly string[]): Grant[] {
    if (ids.length === 0) return [];
    return this.getManyStmt.all(JSON.stringify(ids)).map(rowToGrant);
  }

  /**
   * Ends many grants: every transition is checked first (one illegal `from -> state` throws
   * `invalid_transition` and changes nothing), then each end is `update`'s compare-and-set, all in
   * one transaction (a savepoint inside the caller's). An id given twice is ended by its first end.
   * Returns the changed grants, as they are after.
   */
  endMany(ends: readonly GrantEnd[]): Grant[] {
    const unique = firstEndPerId(ends);
    if (unique.length === 0) return [];
    return inTransaction(this.db, () => {
      const ended: Grant[] = [];
      for (const { id, from, state, endedAt, endReason } of unique) {
        if (this.update(id, [from], { state, endedAt, endReason, updatedAt: endedAt })) ended.push(this.get(id)!);
      }
      return ended;
    });
  }

  listByState(states: readonly GrantState[], limit = -1): Grant[] {
    if (states.length === 0) return [];
    const rows = this.prepared(
      `SELECT * FROM grants WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY requested_at, id LIMIT ?`,
    ).all(...states, limit) as GrantRow[];
    return rows.map(rowToGrant);
  }

  listBySubject(subject: string, states: readonly GrantState[]): Grant[] {
    if (states.length === 0) return [];
    const rows = this.prepared(
      `SELECT * FROM grants WHERE subject = ? AND state IN (${states.map(() => "?").join(", ")}) ORDER BY requested_at, id`,
    ).all(subject, ...states) as GrantRow[];
    return rows.map(rowToGrant);
  }

  /** Grants of any of these subjects in any of `states`, oldest request first (ties by id). */
  listBySubjects(subjects: readonly string[], states: readonly GrantState[]): Grant[] {
    if (subjects.length === 0 || states.length === 0) return [];
    const rows = this.prepared(
      `SELECT * FROM grants WHERE subject IN (SELECT value FROM json_each(?)) AND state IN (${states.map(() => "?").join(", ")}) ORDER BY requested_at, id`,
    ).all(JSON.stringify(subjects), ...states) as GrantRow[];
    return rows.map(rowToGrant);
  }

  listDueForExpiry(at: number, limit: number): Grant[] {
    return this.dueStmt.all(at, limit).map(rowToGrant);
  }

  nextExpiry(): number | null {
    return this.nextExpiryStmt.get() ?? null;
  }

  /** Statements whose SQL depends on the number of states or patched fields, cached by text. */
  private prepared(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  countByState(): Record<GrantState, number> {
    const counts = Object.fromEntries(GRANT_STATES.map((s) => [s, 0])) as Record<GrantState, number>;
    for (const { state, n } of this.countStmt.all()) counts[state] = n;
    return counts;
  }
}
