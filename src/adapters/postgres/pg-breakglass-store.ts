/**
 * BreakglassStore on PostgreSQL (table `breakglass_grants`); same behaviour as
 * SqliteBreakglassStore. Every write that must happen once — the deadline set at activation, the
 * announcement, an escalation, a review outcome — is one conditional UPDATE reporting whether it
 * changed the row. Under READ COMMITTED PostgreSQL re-checks the WHERE clause on the latest row
 * version after waiting for a concurrent writer, so when two instances race the same
 * compare-and-set exactly one gets `true`.
 */
import { UNREVIEWED, type BreakglassStatus } from "../../domain/breakglass.ts";
import type { BreakglassRecord, BreakglassStore } from "../../services/ports/breakglass.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type Row = {
  grant_id: string;
  resource: string;
  subject: string;
  review_within_ms: number;
  channels: string[];
  created_at: number;
  activated_at: number | null;
  review_deadline: number | null;
  announced_at: number | null;
  status: BreakglassStatus;
  reviewed_at: number | null;
  approvers: string[];
  escalations: number;
};

const COLUMNS =
  "grant_id, resource, subject, review_within_ms, channels, created_at, activated_at, review_deadline, announced_at, status, reviewed_at, approvers, escalations";

function toRecord(row: Row): BreakglassRecord {
  return {
    grantId: row.grant_id,
    resource: row.resource,
    subject: row.subject,
    reviewWithinMs: row.review_within_ms,
    channels: row.channels,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    reviewDeadline: row.review_deadline,
    announcedAt: row.announced_at,
    status: row.status,
    reviewedAt: row.reviewed_at,
    approvers: row.approvers,
    escalations: row.escalations,
  };
}

type NewRecord = Parameters<BreakglassStore["insert"]>[0];
type StatusPatch = Parameters<BreakglassStore["setStatus"]>[2];

export class PgBreakglassStore implements AsyncPort<BreakglassStore> {
  constructor(private readonly db: Queryable) {}

  /** Inserts the record of a new break-glass grant (status pending). Throws if it exists or the grant does not. */
  async insert(record: NewRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO breakglass_grants (grant_id, resource, subject, review_within_ms, channels, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      [record.grantId, record.resource, record.subject, record.reviewWithinMs, JSON.stringify(record.channels), record.createdAt],
    );
  }

  /** The record of this grant, or null. */
  async get(grantId: string): Promise<BreakglassRecord | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM breakglass_grants WHERE grant_id = $1`, [grantId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Sets activatedAt and reviewDeadline once; false when already set (or no such record). */
  async markActivated(grantId: string, activatedAt: number, reviewDeadline: number): Promise<boolean> {
    const result = await this.db.query(
      "UPDATE breakglass_grants SET activated_at = $2, review_deadline = $3 WHERE grant_id = $1 AND activated_at IS NULL",
      [grantId, activatedAt, reviewDeadline],
    );
    return result.rowCount === 1;
  }

  /** Sets announcedAt once; false when already announced (or no such record). */
  async markAnnounced(grantId: string, at: number): Promise<boolean> {
    const result = await this.db.query("UPDATE breakglass_grants SET announced_at = $2 WHERE grant_id = $1 AND announced_at IS NULL", [grantId, at]);
    return result.rowCount === 1;
  }

  /**
   * Records a review outcome while the status is one of `from` (compare-and-set); false otherwise.
   * Without `patch.approvers` the stored approvers are kept.
   */
  async setStatus(grantId: string, from: readonly BreakglassStatus[], patch: StatusPatch): Promise<boolean> {
    if (from.length === 0) return false;
    const result = await this.db.query(
      `UPDATE breakglass_grants SET status = $2, reviewed_at = $3, approvers = COALESCE($4::jsonb, approvers)
       WHERE grant_id = $1 AND status = ANY($5::text[])`,
      [grantId, patch.status, patch.reviewedAt, patch.approvers === undefined ? null : JSON.stringify(patch.approvers), [...from]],
    );
    return result.rowCount === 1;
  }

  /** Counts escalation `n` (0-based) once: only while `escalations` is `n`; false otherwise. */
  async recordEscalation(grantId: string, n: number): Promise<boolean> {
    const result = await this.db.query("UPDATE breakglass_grants SET escalations = escalations + 1 WHERE grant_id = $1 AND escalations = $2", [grantId, n]);
    return result.rowCount === 1;
  }

  /** This person's records on this resource whose review is owed and whose deadline is at or before `at`, earliest deadline first. */
  async overdue(subject: string, resource: string, at: number): Promise<BreakglassRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM breakglass_grants WHERE subject = $1 AND resource = $2 AND review_deadline <= $3
       AND status = ANY($4::text[]) ORDER BY review_deadline, grant_id COLLATE "C"`,
      [subject, resource, at, [...UNREVIEWED]],
    );
    return rows.map(toRecord);
  }

  /** Records still `pending` (waiting for their PR's outcome), oldest first. */
  async pending(limit: number): Promise<BreakglassRecord[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM breakglass_grants WHERE status = 'pending' ORDER BY created_at, grant_id COLLATE "C" LIMIT $1`, [limit]);
    return rows.map(toRecord);
  }
}
