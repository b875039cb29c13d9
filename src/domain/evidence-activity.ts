/**
 * Break-glass uses, access reviews, leavers and approvals per reviewer for the evidence report,
 * from the audit digest and the offboarding cases. Pure.
 */
import { approverNames, type KeptRow } from "./evidence-audit.ts";
import { inPeriod } from "./evidence-period.ts";
import type { ApprovalCount, BreakglassRow, LeaverCaseFact, LeaverRow, Period, ReviewRow } from "./evidence-types.ts";
import type { Grant } from "./grant.ts";

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : typeof value === "number" ? String(value) : null);
/** Epoch ms from a number or an RFC 3339 string. */
export const timeOf = (value: unknown): number | null => {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
};
/** A count given as a number or as the list itself. */
const countOf = (value: unknown): number | null => (typeof value === "number" ? value : Array.isArray(value) ? value.length : null);

export type PersonNamer = (approver: { login: string; email: string | null }) => string;

/**
 * Break-glass uses activated in the period (audit `breakglass.activated`) and how each was
 * reviewed: `breakglass.reviewed` (data.withinDeadline), `breakglass.rejected_pr` (review PR
 * closed, access revoked), `breakglass.unreviewed_merge`, `breakglass.review_overdue`; no row
 * after the deadline = overdue. Follow-up rows are matched by grant id.
 */
export function breakglassRows(kept: readonly KeptRow[], grantById: (id: string) => Grant | null, period: Period, now: number, name: PersonNamer): BreakglassRow[] {
  const rows: BreakglassRow[] = [];
  const byGrant = new Map<string, BreakglassRow>();
  for (const row of kept) {
    if (!row.action.startsWith("breakglass.") || row.grantId === null) continue;
    if (row.action === "breakglass.activated") {
      const grant = grantById(row.grantId);
      const entry: BreakglassRow = {
        grantId: row.grantId,
        resource: text(row.data.resource) ?? grant?.resource ?? "",
        subject: (text(row.data.subject) ?? grant?.subject ?? "").toLowerCase(),
        reason: text(row.data.reason) ?? grant?.reason ?? "",
        activatedAt: timeOf(row.data.activatedAt) ?? row.at,
        expiresAt: timeOf(row.data.expiresAt) ?? grant?.expiresAt ?? null,
        reviewDeadline: timeOf(row.data.reviewDeadline),
        pr: text(row.data.url) ?? grant?.prUrl ?? text(row.data.pr),
        reviewedAt: null,
        reviewers: [],
        status: "awaiting review",
      };
      byGrant.set(row.grantId, entry);
      if (inPeriod(period, entry.activatedAt)) rows.push(entry);
      continue;
    }
    const entry = byGrant.get(row.grantId);
    if (!entry) continue;
    if (row.action === "breakglass.reviewed") {
      entry.reviewedAt = timeOf(row.data.mergedAt) ?? row.at;
      entry.reviewers = approverNames(row.data.approvers).map(name);
      const inTime = typeof row.data.withinDeadline === "boolean" ? row.data.withinDeadline : entry.reviewDeadline === null || entry.reviewedAt <= entry.reviewDeadline;
      entry.status = inTime ? "reviewed in time" : "reviewed late";
    } else if (row.action === "breakglass.rejected_pr" && entry.reviewedAt === null) {
      entry.status = "revoked unreviewed";
    } else if (row.action === "breakglass.unreviewed_merge" && entry.reviewedAt === null) {
      entry.status = "merged without review";
    } else if (row.action === "breakglass.review_overdue" && entry.status === "awaiting review") {
      entry.status = "overdue";
    }
  }
  for (const entry of rows) {
    if (entry.status === "awaiting review" && entry.reviewDeadline !== null && now > entry.reviewDeadline) entry.status = "overdue";
  }
  return rows;
}

const CLOSING: Readonly<Record<string, ReviewRow["outcome"]>> = { "review.certified": "certified", "review.rejected": "rejected", "review.closed": "closed" };

/**
 * Access reviews (audit `review.*`): opened, then certified, rejected or closed; `review.overdue`
 * marks the resource's open review overdue (or, with none open, is a review missed outright);
 * `review.member_removed` lists the removals. Rows are matched by data.reviewId, else by PR, else
 * by the resource's latest open review. Listed when opened or closed in the period, or still open.
 */
export function reviewRows(kept: readonly KeptRow[], period: Period, name: PersonNamer): ReviewRow[] {
  const all: ReviewRow[] = [];
  const fresh = (resource: string, reviewId: string | null, pr: string | null, at: number | null): ReviewRow => {
    const row: ReviewRow = { reviewId, resource, pr, openedAt: at, members: null, outcome: "open", overdue: false, closedAt: null, kept: null, removed: null, removals: [], approvers: [], onMissed: null };
    all.push(row);
    return row;
  };
  const find = (resource: string, reviewId: string | null, pr: string | null, openOnly: boolean): ReviewRow | undefined => {
    for (let i = all.length - 1; i >= 0; i--) {
      const r = all[i]!;
      if (r.resource !== resource || (openOnly && r.outcome !== "open")) continue;
      if (reviewId !== null && r.reviewId !== null) {
        if (r.reviewId === reviewId) return r;
      } else if (pr === null || r.pr === null || r.pr === pr) return r;
    }
    return undefined;
  };
  for (const row of kept) {
    if (!row.action.startsWith("review.")) continue;
    const resource = text(row.data.resource) ?? "";
    const reviewId = text(row.data.reviewId);
    const pr = text(row.data.pr);
    if (row.action === "review.opened") {
      fresh(resource, reviewId, pr, row.at).members = countOf(row.data.members);
      continue;
    }
    const closing = CLOSING[row.action];
    if (closing) {
      const entry = find(resource, reviewId, pr, true) ?? fresh(resource, reviewId, pr, null);
      Object.assign(entry, { outcome: closing, closedAt: row.at, pr: entry.pr ?? pr });
      if (closing === "certified") Object.assign(entry, { kept: countOf(row.data.kept), removed: countOf(row.data.removed), approvers: approverNames(row.data.approvers).map(name) });
    } else if (row.action === "review.overdue") {
      const entry = find(resource, null, null, true) ?? Object.assign(fresh(resource, null, null, null), { outcome: "missed", closedAt: row.at, members: countOf(row.data.members) });
      entry.overdue = true;
      entry.onMissed = text(row.data.on_missed);
    } else if (row.action === "review.member_removed") {
      const entry = find(resource, reviewId, null, false);
      entry?.removals.push({ email: (text(row.data.email) ?? "").toLowerCase(), verified: row.data.verified === true });
    }
  }
  return all.filter((r) => inPeriod(period, r.openedAt) || inPeriod(period, r.closedAt) || (r.outcome === "open" && (r.openedAt ?? 0) <= period.to));
}

export function leaverRows(cases: readonly LeaverCaseFact[], quiet: readonly { email: string; at: number; cause: string; source: string }[], period: Period): LeaverRow[] {
  const rows: LeaverRow[] = cases
    .filter((c) => inPeriod(period, c.startedAt))
    .map((c) => ({
      caseId: c.id,
      email: c.email,
      cause: c.cause,
      source: c.source,
      detectedAt: c.startedAt,
      completedAt: c.completedAt,
      tookMs: c.completedAt === null ? null : c.completedAt - c.startedAt,
      revoked: c.revoked.length,
      cancelled: c.cancelled.length,
      orphans: c.orphans.length,
      status: c.completedAt === null ? "in progress" : "completed",
    }));
  for (const q of quiet) {
    rows.push({ caseId: null, email: q.email, cause: q.cause, source: q.source, detectedAt: q.at, completedAt: q.at, tookMs: null, revoked: 0, cancelled: 0, orphans: 0, status: "nothing to revoke" });
  }
  return rows.sort((a, b) => a.detectedAt - b.detectedAt);
}

export function approvalCounts(approvals: readonly { reviewer: { login: string; email: string | null }; kind: ApprovalCount["kind"] }[], name: PersonNamer): ApprovalCount[] {
  const counts = new Map<string, ApprovalCount>();
  for (const a of approvals) {
    const reviewer = name(a.reviewer);
    const key = `${reviewer}\u0000${a.kind}`;
    const entry = counts.get(key) ?? { reviewer, kind: a.kind, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.reviewer.localeCompare(b.reviewer) || a.kind.localeCompare(b.kind));
}
