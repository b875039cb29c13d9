/**
 * BreakglassStore on SQLite (table `breakglass_grants`, migration 9). Every write that must happen
 * once — the deadline set at activation, the announcement, an escalation, a review outcome — is a
 * conditional UPDATE that reports whether it changed the row, so a job re-run after a crash finds
 * the work done and does nothing (CONVENTIONS.md §2).
 */
import type Database from "better-sqlite3";
import { UNREVIEWED, type BreakglassStatus } from "../../domain/breakglass.ts";
import type { BreakglassRecord, BreakglassStore } from "../../services/ports/breakglass.ts";

interface Row {
  grant_id: string;
  resource: string;
  subject: string;
  review_within_ms: number;
  channels: string;
  created_at: number;
  activated_at: number | null;
  review_deadline: number | null;
  announced_at: number | null;
  status: BreakglassStatus;
  reviewed_at: number | null;
  approvers: string;
  escalations: number;
}

function toRecord(row: Row): BreakglassRecord {
  return {
    grantId: row.grant_id,
    resource: row.resource,
    subject: row.subject,
    reviewWithinMs: row.review_within_ms,
    channels: JSON.parse(row.channels) as string[],
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    reviewDeadline: row.review_deadline,
    announcedAt: row.announced_at,
    status: row.status,
    reviewedAt: row.reviewed_at,
    approvers: JSON.parse(row.approvers) as string[],
    escalations: row.escalations,
  };
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

export class SqliteBreakglassStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO breakglass_grants (grant_id, resource, subject, review_within_ms, channels, created_at)
         VALUES (@grantId, @resource, @subject, @reviewWithinMs, @channels, @createdAt)`,
      ),
      get: db.prepare<[string], Row>("SELECT * FROM breakglass_grants WHERE grant_id = ?"),
      activated: db.prepare("UPDATE breakglass_grants SET activated_at = ?, review_deadline = ? WHERE grant_id = ? AND activated_at IS NULL"),
      announced: db.prepare("UPDATE breakglass_grants SET announced_at = ? WHERE grant_id = ? AND announced_at IS NULL"),
      escalation: db.prepare("UPDATE breakglass_grants SET escalations = escalations + 1 WHERE grant_id = ? AND escalations = ?"),
      overdue: db.prepare<[string, string, number, ...string[]], Row>(
        `SELECT * FROM breakglass_grants WHERE subject = ? AND resource = ? AND review_deadline <= ?
         AND status IN (${placeholders(UNREVIEWED.length)}) ORDER BY review_deadline`,
      ),
      pending: db.prepare<[number], Row>("SELECT * FROM breakglass_grants WHERE status = 'pending' ORDER BY created_at, grant_id LIMIT ?"),
      setStatus: (from: number) =>
        db.prepare(`UPDATE breakglass_grants SET status = ?, reviewed_at = ?, approvers = ? WHERE grant_id = ? AND status IN (${placeholders(from)})`),
    };
  }

  insert(record: Parameters<BreakglassStore["insert"]>[0]): void {
    this.stmts.insert.run({ ...record, channels: JSON.stringify(record.channels) });
  }

  get(grantId: string): BreakglassRecord | null {
    const row = this.stmts.get.get(grantId);
    return row ? toRecord(row) : null;
  }

  markActivated(grantId: string, activatedAt: number, reviewDeadline: number): boolean {
    return this.stmts.activated.run(activatedAt, reviewDeadline, grantId).changes === 1;
  }

  markAnnounced(grantId: string, at: number): boolean {
    return this.stmts.announced.run(at, grantId).changes === 1;
  }

  setStatus(grantId: string, from: readonly BreakglassStatus[], patch: { status: BreakglassStatus; reviewedAt: number; approvers?: string[] }): boolean {
    if (from.length === 0) return false;
    const current = this.get(grantId);
    const approvers = JSON.stringify(patch.approvers ?? current?.approvers ?? []);
    return this.stmts.setStatus(from.length).run(patch.status, patch.reviewedAt, approvers, grantId, ...from).changes === 1;
  }

  recordEscalation(grantId: string, n: number): boolean {
    return this.stmts.escalation.run(grantId, n).changes === 1;
  }

  overdue(subject: string, resource: string, at: number): BreakglassRecord[] {
    return this.stmts.overdue.all(subject, resource, at, ...UNREVIEWED).map(toRecord);
  }

  pending(limit: number): BreakglassRecord[] {
    return this.stmts.pending.all(limit).map(toRecord);
  }
}
