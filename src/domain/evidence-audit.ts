/**
 * One pass over the audit log for the evidence report: the digest keeps, per grant of interest,
 * when its merge was seen, who approved it and when its removals were verified, and for the
 * period the break-glass, access-review, reconciliation and leaver rows. The log is read once,
 * row by row, so a long history is never held in memory whole. Pure (fed by the caller).
 *
 * Rows are read leniently, field by field: a field a row lacks (or a writer added later shapes
 * differently) is left empty in the report, never guessed.
 */
import { inPeriod } from "./evidence-period.ts";
import type { AuditFact, Period } from "./evidence-types.ts";

export interface GrantTrail {
  mergedAt: number | null;
  approvedAt: number | null;
  /** People who approved, `{ login, email }` as recorded at approval. */
  approvers: { login: string; email: string | null }[];
  /** Verified removals (or "kept by another grant") of the grant's memberships. */
  removals: number;
  lastRemovalAt: number | null;
  /** `grant.expired` data.lateByMs: how late grantbot ended the grant (before the SCIM removal). */
  endLateByMs: number | null;
  emergency: boolean;
}

/** A row of a feature the digest keeps whole: break-glass and access reviews. */
export interface KeptRow {
  at: number;
  action: string;
  actor: string;
  grantId: string | null;
  data: Record<string, unknown>;
}

/**
 * `{ login, email }` objects or plain strings (emails or logins), as the writers of rows give them.
 * Read field by field (not through a schema): it runs for every approval in the log.
 */
export function approverNames(value: unknown): { login: string; email: string | null }[] {
  if (!Array.isArray(value)) return [];
  const out: { login: string; email: string | null }[] = [];
  for (const a of value) {
    if (typeof a === "string") {
      if (a) out.push(a.includes("@") ? { login: "", email: a.toLowerCase() } : { login: a, email: null });
    } else if (a !== null && typeof a === "object") {
      const login = "login" in a && typeof a.login === "string" ? a.login : "";
      const email = "email" in a && typeof a.email === "string" && a.email ? a.email.toLowerCase() : null;
      if (login || email) out.push({ login, email });
    }
  }
  return out;
}

const numberOf = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

const KEPT_PREFIXES = ["breakglass.", "review."];
const REMOVAL_ACTIONS = new Set(["scim.member_removed", "scim.member_kept"]);

export class AuditDigest {
  readonly trails = new Map<string, GrantTrail>();
  /** Break-glass and access-review rows of any time (their periods are judged later). */
  readonly kept: KeptRow[] = [];
  readonly approvals: { reviewer: { login: string; email: string | null }; kind: "grant" | "break-glass review" | "access review" }[] = [];
  readonly reconcile = { runs: 0, runsWithDrift: 0, runsWithErrors: 0, repairsQueued: 0, repaired: 0 };
  /** Leavers detected in the period who held nothing (no offboarding case was opened). */
  readonly quietLeavers: { email: string; at: number; cause: string; source: string }[] = [];
  headSeq: number | null = null;
  headHash: string | null = null;

  /** `wanted`: the grants the report lists; trails of other grants are not kept. */
  constructor(
    private readonly period: Period,
    private readonly wanted: ReadonlySet<string>,
  ) {}

  add(row: AuditFact): void {
    this.headSeq = row.seq;
    this.headHash = row.hash;
    const data = row.data ?? {};
    const grantId = row.grantId ?? null;
    if (grantId !== null && this.wanted.has(grantId)) this.addToTrail(grantId, row, data);
    if (KEPT_PREFIXES.some((p) => row.action.startsWith(p))) {
      this.kept.push({ at: row.at, action: row.action, actor: row.actor, grantId, data });
      if (row.action === "breakglass.activated" && grantId !== null && this.wanted.has(grantId)) this.trail(grantId).emergency = true;
    }
    if (!inPeriod(this.period, row.at)) return;
    switch (row.action) {
      case "grant.approved":
        for (const reviewer of approverNames(data.approvers)) this.approvals.push({ reviewer, kind: "grant" });
        break;
      case "breakglass.reviewed":
        for (const reviewer of approverNames(data.approvers)) this.approvals.push({ reviewer, kind: "break-glass review" });
        break;
      case "review.certified":
        for (const reviewer of approverNames(data.approvers)) this.approvals.push({ reviewer, kind: "access review" });
        break;
      case "reconcile.run":
        this.reconcile.runs += 1;
        if (data.drift === true) this.reconcile.runsWithDrift += 1;
        if ((numberOf(data.errors) ?? 0) > 0) this.reconcile.runsWithErrors += 1;
        this.reconcile.repairsQueued += numberOf(data.repairsQueued) ?? 0;
        break;
      case "reconcile.member_added":
      case "reconcile.member_removed":
        if (data.verified === true) this.reconcile.repaired += 1;
        break;
      case "directory.leaver":
        if (data.outcome === "nothing to revoke" && typeof data.email === "string") {
          this.quietLeavers.push({ email: data.email.toLowerCase(), at: row.at, cause: typeof data.cause === "string" ? data.cause : "", source: typeof data.source === "string" ? data.source : "" });
        }
        break;
    }
  }

  private trail(grantId: string): GrantTrail {
    let trail = this.trails.get(grantId);
    if (!trail) {
      trail = { mergedAt: null, approvedAt: null, approvers: [], removals: 0, lastRemovalAt: null, endLateByMs: null, emergency: false };
      this.trails.set(grantId, trail);
    }
    return trail;
  }

  private addToTrail(grantId: string, row: AuditFact, data: Record<string, unknown>): void {
    if (row.action === "grant.pr_merged") {
      const trail = this.trail(grantId);
      trail.mergedAt ??= row.at;
    } else if (row.action === "grant.approved") {
      const trail = this.trail(grantId);
      trail.approvedAt ??= row.at;
      trail.approvers = approverNames(data.approvers);
    } else if (REMOVAL_ACTIONS.has(row.action) && data.verified === true) {
      const trail = this.trail(grantId);
      trail.removals += 1;
      trail.lastRemovalAt = Math.max(trail.lastRemovalAt ?? row.at, row.at);
    } else if (row.action === "grant.expired") {
      this.trail(grantId).endLateByMs = numberOf(data.lateByMs);
    }
  }
}
