/**
 * The evidence report model: everything `grantbot evidence` shows, built from facts gathered by
 * services/evidence (grants, one pass over the audit log, offboarding cases, the three-way group
 * comparison). Every string is passed through the secret redactor at the end. Pure.
 */
import { approvalCounts, breakglassRows, leaverRows, reviewRows } from "./evidence-activity.ts";
import type { AuditDigest } from "./evidence-audit.ts";
import { grantFigures, grantRow, timeline } from "./evidence-grants.ts";
import { redactReport } from "./evidence-redact.ts";
import { statOf } from "./evidence-stats.ts";
import { BREAKGLASS_STATUSES, REVIEW_OUTCOMES, type EvidenceReport, type GroupComparison, type LeaverCaseFact, type Period, type PersonEntry } from "./evidence-types.ts";
import type { Grant } from "./grant.ts";

export interface EvidenceInput {
  now: number;
  period: Period;
  /** Every grant grantbot knows (for "active now" and look-ups). */
  all: readonly Grant[];
  /** The period's grants (evidence-grants.ts grantsInPeriod). */
  listed: readonly Grant[];
  /** The audit log, read once. */
  digest: AuditDigest;
  auditCheck: { ok: boolean; rows: number; problems: string[] };
  cases: readonly LeaverCaseFact[];
  groups: readonly GroupComparison[];
  /** people.yaml: email and GitHub login. */
  people: readonly { email: string; github: string }[];
  /** The directory's display name of a person, when known. */
  nameOf(email: string): string | null;
  notes: readonly string[];
}


function countBy<K extends string>(keys: readonly K[], values: readonly K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) out[v] += 1;
  return out;
}

export function buildEvidence(input: EvidenceInput): EvidenceReport {
  const { digest, period, now } = input;
  const emailByLogin = new Map(input.people.map((p) => [p.github.toLowerCase(), p.email]));
  const nameApprover = (a: { login: string; email: string | null }) => a.email ?? emailByLogin.get(a.login.toLowerCase()) ?? `github:${a.login}`;
  const byId = new Map(input.all.map((g) => [g.id, g]));
  const grantById = (id: string) => byId.get(id) ?? null;

  const grants = input.listed.map((g) => grantRow(g, digest.trails.get(g.id), nameApprover));
  const figures = grantFigures(input.all, input.listed, digest.trails, period, now);
  const leavers = leaverRows(input.cases, digest.quietLeavers, period);
  const breakglass = breakglassRows(digest.kept, grantById, period, now, nameApprover);
  const reviews = reviewRows(digest.kept, period, nameApprover);
  const approvals = approvalCounts(digest.approvals, nameApprover);
  const { expiryLags, ...summaryFigures } = figures;

  const report: EvidenceReport = {
    version: 1,
    generatedAt: now,
    period,
    summary: {
      ...summaryFigures,
      leavers: {
        count: leavers.length,
        completed: leavers.filter((l) => l.status === "completed").length,
        inProgress: leavers.filter((l) => l.status === "in progress").length,
        removal: statOf(leavers.flatMap((l) => (l.tookMs === null ? [] : [l.tookMs]))),
      },
      breakglass: { uses: breakglass.length, ...countBy(BREAKGLASS_STATUSES, breakglass.map((b) => b.status)) },
      reviews: { ...countBy(REVIEW_OUTCOMES, reviews.map((r) => r.outcome)), overdue: reviews.filter((r) => r.overdue || r.outcome === "missed").length },
      drift: { ...digest.reconcile },
      audit: { ...input.auditCheck, headSeq: digest.headSeq, headHash: digest.headHash },
    },
    grants,
    leavers,
    breakglass,
    reviews,
    groups: [...input.groups],
    approvals,
    expiryLags,
    timeline: timeline(input.listed, digest.trails, period, now),
    people: peopleNamed(input, grants, leavers, approvals.map((a) => a.reviewer)),
    notes: [...input.notes],
  };
  return redactReport(report);
}

/** Everyone the report names, with their directory name and GitHub login when known. */
function peopleNamed(input: EvidenceInput, grants: EvidenceReport["grants"], leavers: EvidenceReport["leavers"], reviewers: string[]): PersonEntry[] {
  const github = new Map(input.people.map((p) => [p.email, p.github]));
  const emails = new Set<string>();
  for (const g of grants) {
    emails.add(g.subject);
    emails.add(g.requester);
    for (const a of g.approvers) emails.add(a);
  }
  for (const l of leavers) emails.add(l.email);
  for (const r of reviewers) emails.add(r);
  for (const group of input.groups) for (const m of group.members) emails.add(m.email);
  return [...emails]
    .filter((e) => e.includes("@"))
    .sort()
    .map((email) => ({ email, name: input.nameOf(email), github: github.get(email) ?? null }));
}
