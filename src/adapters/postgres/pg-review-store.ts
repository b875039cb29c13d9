/**
 * Access reviews (`access_reviews`, `standing_seen`, `standing_missed`) on PostgreSQL; same
 * behaviour as SqliteReviewStore. "Never two open review PRs for one resource" is a partial unique
 * index and `insert` is `ON CONFLICT DO NOTHING`, so two instances opening the same review at once
 * get one `true` and one `false`; state changes are compare-and-set (`state = ANY(…)`).
 */
import type { AccessReview, MissedDeadline, ReviewMember, ReviewOutcome, ReviewState, ReviewStore } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type ReviewRow = {
  id: string;
  resource: string;
  kind: AccessReview["kind"];
  cause: AccessReview["cause"];
  state: ReviewState;
  branch: string;
  members: ReviewMember[];
  pr_number: number | null;
  pr_url: string | null;
  opened_at: number;
  closed_at: number | null;
  outcome: ReviewOutcome | null;
  reminded_at: number | null;
  base_sha: string | null;
};

type MissedRow = { resource: string; email: string; deadline: string; on_missed: MissedDeadline["onMissed"]; at: number };

const COLUMNS = "id, resource, kind, cause, state, branch, members, pr_number, pr_url, opened_at, closed_at, outcome, reminded_at, base_sha";

function toReview(row: ReviewRow): AccessReview {
  return {
    id: row.id,
    resource: row.resource,
    kind: row.kind,
    cause: row.cause,
    state: row.state,
    branch: row.branch,
    members: row.members,
    prNumber: row.pr_number,
    prUrl: row.pr_url,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    outcome: row.outcome,
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

type ReviewPatch = Parameters<ReviewStore["update"]>[2];

export class PgReviewStore implements AsyncPort<ReviewStore> {
  constructor(private readonly db: Queryable) {}

  /**
   * Inserts a review. Returns false (and changes nothing) when the id exists, the branch is taken
   * or the resource already has an open review of kind `review`.
   */
  async insert(r: AccessReview): Promise<boolean> {
    const result = await this.db.query(
      `INSERT INTO access_reviews (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12::jsonb, $13, $14)
       ON CONFLICT DO NOTHING`,
      [
        r.id, r.resource, r.kind, r.cause, r.state, r.branch, JSON.stringify(r.members), r.prNumber, r.prUrl,
        r.openedAt, r.closedAt, r.outcome === null ? null : JSON.stringify(r.outcome), r.remindedAt, r.baseSha,
      ],
    );
    return result.rowCount === 1;
  }

  /** The review with this id, or null. */
  async get(id: string): Promise<AccessReview | null> {
    return this.one(`SELECT ${COLUMNS} FROM access_reviews WHERE id = $1`, [id]);
  }

  /** The most recently opened review with this PR number, or null. */
  async getByPr(prNumber: number): Promise<AccessReview | null> {
    return this.one(`SELECT ${COLUMNS} FROM access_reviews WHERE pr_number = $1 ORDER BY opened_at DESC, id DESC LIMIT 1`, [prNumber]);
  }

  /** The open (opening or open) review PR of a resource, if any. */
  async openReviewOf(resource: string): Promise<AccessReview | null> {
    return this.one(`SELECT ${COLUMNS} FROM access_reviews WHERE resource = $1 AND kind = 'review' AND state IN ('opening', 'open')`, [resource]);
  }

  /** Reviews and removals in `states`, oldest first. */
  async listByState(states: readonly ReviewState[]): Promise<AccessReview[]> {
    if (states.length === 0) return [];
    const { rows } = await this.db.query<ReviewRow>(`SELECT ${COLUMNS} FROM access_reviews WHERE state = ANY($1::text[]) ORDER BY opened_at, id`, [[...states]]);
    return rows.map(toReview);
  }

  /** Most recently opened first. */
  async recent(limit: number): Promise<AccessReview[]> {
    const { rows } = await this.db.query<ReviewRow>(`SELECT ${COLUMNS} FROM access_reviews ORDER BY opened_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toReview);
  }

  /**
   * Compare-and-set on state: applies `patch` only while the state is one of `fromStates` (one
   * conditional UPDATE). False when nothing changed, the patch is empty or `fromStates` is.
   */
  async update(id: string, fromStates: readonly ReviewState[], patch: ReviewPatch): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [id, [...fromStates]];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const entry = PATCH_COLUMNS[key];
      if (!entry) throw new Error(`unknown access review field ${key}`);
      params.push(entry[1] && value !== null ? JSON.stringify(value) : value);
      sets.push(`${entry[0]} = $${params.length}${entry[1] ? "::jsonb" : ""}`);
    }
    if (sets.length === 0 || fromStates.length === 0) return false;
    const result = await this.db.query(`UPDATE access_reviews SET ${sets.join(", ")} WHERE id = $1 AND state = ANY($2::text[])`, params);
    return result.rowCount === 1;
  }

  /** Records when each standing member was first seen (one statement; an earlier first sighting is kept). */
  async noteStanding(members: readonly { resource: string; email: string }[], at: number): Promise<void> {
    if (members.length === 0) return;
    await this.db.query(
      `INSERT INTO standing_seen (resource, email, first_seen)
       SELECT r, e, $3::bigint FROM unnest($1::text[], $2::text[]) AS t(r, e)
       ON CONFLICT DO NOTHING`,
      [members.map((m) => m.resource), members.map((m) => m.email), at],
    );
  }

  /** When this standing member was first seen, or null. */
  async standingSince(resource: string, email: string): Promise<number | null> {
    const { rows } = await this.db.query<{ first_seen: number }>("SELECT first_seen FROM standing_seen WHERE resource = $1 AND email = $2", [resource, email]);
    return rows[0]?.first_seen ?? null;
  }

  /** Records that a deadline was missed and handled; false when it was already (idempotent). */
  async markMissed(missed: MissedDeadline): Promise<boolean> {
    const result = await this.db.query(
      "INSERT INTO standing_missed (resource, email, deadline, on_missed, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
      [missed.resource, missed.email, missed.deadline, missed.onMissed, missed.at],
    );
    return result.rowCount === 1;
  }

  /** Missed deadlines, newest first (ties by resource, then email). */
  async missed(limit: number): Promise<MissedDeadline[]> {
    const { rows } = await this.db.query<MissedRow>("SELECT resource, email, deadline, on_missed, at FROM standing_missed ORDER BY at DESC, resource, email LIMIT $1", [limit]);
    return rows.map((r) => ({ resource: r.resource, email: r.email, deadline: r.deadline, onMissed: r.on_missed, at: r.at }));
  }

  private async one(sql: string, params: unknown[]): Promise<AccessReview | null> {
    const { rows } = await this.db.query<ReviewRow>(sql, params);
    return rows[0] ? toReview(rows[0]) : null;
  }
}
