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

export function breakglassRows(kept: readonly KeptRow[], grantById: (id: string) => Grant | null, period: Period, now: number, name: PersonNamer): BreakglassRow[] {
  const rows: BreakglassRow[] = [];
  const byKey = new Map<string, BreakglassRow>();
  const keyOf = (row: KeptRow) => row.grantId ?? text(row.data.pr) ?? "";
  for (const row of kept) {
    if (row.action === "breakglass.activated") {
      const grant = row.grantId ? grantById(row.grantId) : null;
      const entry: BreakglassRow = {
        grantId: row.grantId,
        resource: text(row.data.resource) ?? grant?.resource ?? "",
        subject: (text(row.data.subject) ?? grant?.subject ?? "").toLowerCase(),
        reason: text(row.data.reason) ?? grant?.reason ?? "",
        activatedAt: row.at,
        expiresAt: timeOf(row.data.expiresAt) ?? grant?.expiresAt ?? null,
        reviewDeadline: timeOf(row.data.reviewDeadline),
        pr: text(row.data.pr) ?? grant?.prUrl ?? null,
        reviewedAt: null,
        reviewers: [],
        status: "awaiting review",
      };
      byKey.set(keyOf(row), entry);
      if (inPeriod(period, row.at)) rows.push(entry);
      continue;
    }
    const entry = byKey.get(keyOf(row));
    if (!entry) continue;
    if (row.action === "breakglass.reviewed") {
      entry.reviewedAt = row.at;
      entry.reviewers = approverNames(row.data.approvers).map(name);
      const inTime = typeof row.data.withinDeadline === "boolean" ? row.data.withinDeadline : entry.reviewDeadline === null || row.at <= entry.reviewDeadline;
      entry.status = inTime ? "reviewed in time" : "reviewed late";
    } else if (row.action === "breakglass.review_overdue" && entry.reviewedAt === null) {
      entry.status = "overdue";
    }
  }
  for (const entry of rows) {
    if (entry.status === "awaiting review" && entry.reviewDeadline !== null && now > entry.reviewDeadline) entry.status = "overdue";
  }
  return rows;
}

export function reviewRows(kept: readonly KeptRow[], period: Period, name: PersonNamer): ReviewRow[] {
  const all: ReviewRow[] = [];
  const find = (resource: string, pr: string | null): ReviewRow | undefined => {
    for (let i = all.length - 1; i >= 0; i--) {
      const r = all[i]!;
      if (r.resource === resource && (pr === null || r.pr === null || r.pr === pr)) return r;
    }
    return undefined;
  };
  const fresh = (resource: string, pr: string | null): ReviewRow => {
    const row: ReviewRow = { resource, pr, openedAt: null, members: null, outcome: "open", closedAt: null, kept: null, removed: null, removals: [], approvers: [], onMissed: null };
    all.push(row);
    return row;
  };
  for (const row of kept) {
    if (!row.action.startsWith("review.")) continue;
    const resource = text(row.data.resource) ?? "";
    const pr = text(row.data.pr);
    if (row.action === "review.opened") {
      const entry = fresh(resource, pr);
      entry.openedAt = row.at;
      entry.members = countOf(row.data.members);
      continue;
    }
    const open = find(resource, pr);
    const entry = open && (open.outcome === "open" || row.action === "review.member_removed") ? open : fresh(resource, pr);
    entry.pr ??= pr;
    switch (row.action) {
      case "review.certified":
        Object.assign(entry, { outcome: "certified", closedAt: row.at, kept: countOf(row.data.kept), removed: countOf(row.data.removed), approvers: approverNames(row.data.approvers).map(name) });
        break;
      case "review.rejected":
        Object.assign(entry, { outcome: "rejected", closedAt: row.at });
        break;
      case "review.overdue":
        Object.assign(entry, { outcome: "overdue", closedAt: row.at, onMissed: text(row.data.on_missed), members: entry.members ?? countOf(row.data.members) });
        break;
      case "review.member_removed":
        entry.removals.push({ email: (text(row.data.email) ?? "").toLowerCase(), verified: row.data.verified === true });
        break;
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
