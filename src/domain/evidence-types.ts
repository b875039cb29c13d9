/**
 * The evidence report (`grantbot evidence`): what an auditor gets, as plain data. The HTML page
 * (adapters/report) and `--json` are two renderings of this one model. Times are epoch
 * milliseconds (UTC); durations are milliseconds. Pure types.
 */

/** The audit period, both ends inclusive. */
export interface Period {
  from: number;
  to: number;
}

/** Nearest-rank percentiles of a set of durations (ms); null when the set is empty. */
export interface Stat {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** One audit-log row as the report reads it (a structural subset of the audit log's records). */
export interface AuditFact {
  seq: number;
  at: number;
  actor: string;
  action: string;
  grantId?: string | null;
  data?: Record<string, unknown>;
  hash: string;
}

/** One offboarding case as the report reads it (a subset of the leavers store's cases). */
export interface LeaverCaseFact {
  id: string;
  email: string;
  source: string;
  cause: string;
  startedAt: number;
  revoked: string[];
  cancelled: string[];
  orphans: string[];
  completedAt: number | null;
}

export interface GrantRow {
  id: string;
  resource: string;
  subject: string;
  requester: string;
  reason: string;
  state: string;
  emergency: boolean;
  /** The grant this one extends, if any. */
  extends: string | null;
  prUrl: string | null;
  /** Emails of the approvers (people.yaml); `github:<login>` when a login maps to nobody. */
  approvers: string[];
  requestedAt: number;
  /** When grantbot saw the merge (audit `grant.pr_merged`), else when it approved. */
  mergedAt: number | null;
  activatedAt: number | null;
  expiresAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  /** Last verified SCIM removal (or "kept by another grant") of the grant's memberships. */
  removalVerifiedAt: number | null;
}

/** An expiry whose removal was verified more than 1 s after the expiry second (or not at all yet). */
export interface LateExpiry {
  grantId: string;
  resource: string;
  subject: string;
  expiresAt: number;
  removalVerifiedAt: number | null;
  lagMs: number;
  /** false: the removal is not verified yet; lagMs then runs up to the report's generation. */
  verified: boolean;
}

export interface LeaverRow {
  caseId: string | null;
  email: string;
  cause: string;
  source: string;
  detectedAt: number;
  completedAt: number | null;
  /** Detection -> every removal verified; null while the case is open. */
  tookMs: number | null;
  revoked: number;
  cancelled: number;
  orphans: number;
  status: "completed" | "in progress" | "nothing to revoke";
}

/**
 * "overdue": not reviewed and past its deadline; "revoked unreviewed": the review PR was closed
 * (access revoked); "merged without review": merged without the approvals the policy requires.
 */
export type BreakglassStatus = "reviewed in time" | "reviewed late" | "overdue" | "awaiting review" | "revoked unreviewed" | "merged without review";
export const BREAKGLASS_STATUSES: readonly BreakglassStatus[] = ["reviewed in time", "reviewed late", "overdue", "awaiting review", "revoked unreviewed", "merged without review"];

export interface BreakglassRow {
  grantId: string | null;
  resource: string;
  subject: string;
  reason: string;
  activatedAt: number;
  expiresAt: number | null;
  reviewDeadline: number | null;
  pr: string | null;
  reviewedAt: number | null;
  reviewers: string[];
  status: BreakglassStatus;
}

/** "missed": members' review deadline passed with no review PR at all. */
export type ReviewOutcome = "certified" | "rejected" | "closed" | "open" | "missed";
export const REVIEW_OUTCOMES: readonly ReviewOutcome[] = ["certified", "rejected", "closed", "open", "missed"];

export interface ReviewRow {
  /** The review's id (audit data.reviewId), when its rows carry one. */
  reviewId: string | null;
  resource: string;
  pr: string | null;
  openedAt: number | null;
  members: number | null;
  outcome: ReviewOutcome;
  /** Some member's review deadline passed before the review was certified (audit `review.overdue`). */
  overdue: boolean;
  closedAt: number | null;
  kept: number | null;
  removed: number | null;
  /** Members removed because of the review, with whether the removal was verified. */
  removals: { email: string; verified: boolean }[];
  approvers: string[];
  onMissed: string | null;
}

/** "unknown": no directory is configured and grantbot holds no record of the person. */
export type DirectoryStatus = "active" | "inactive" | "deleted" | "not in directory" | "unknown";

export type MembershipReason =
  | { kind: "grant"; grantId: string; expiresAt: number | null; emergency: boolean }
  | { kind: "standing" }
  | { kind: "in flight" }
  | { kind: "none" };

export interface MemberRow {
  email: string;
  directory: DirectoryStatus;
  reasons: MembershipReason[];
  /** Member of the live group; null when the target could not be read. */
  inTarget: boolean | null;
  /** The disagreement, in a few words; null when directory, grantbot and target agree. */
  problem: string | null;
  /** What grantbot does about it. */
  action: string | null;
}

export interface GroupComparison {
  target: string;
  group: string;
  resources: string[];
  enforce: boolean;
  /** Why the live group could not be read (the report never guesses its members). */
  readError: string | null;
  members: MemberRow[];
}

export interface ApprovalCount {
  reviewer: string;
  kind: "grant" | "break-glass review" | "access review";
  count: number;
}

export interface DriftFigures {
  runs: number;
  runsWithDrift: number;
  runsWithErrors: number;
  repairsQueued: number;
  /** Repairs applied and verified (audit `reconcile.member_added` / `reconcile.member_removed`). */
  repaired: number;
}

export interface AuditCheck {
  ok: boolean;
  rows: number;
  problems: string[];
  headSeq: number | null;
  headHash: string | null;
}

export interface EvidenceSummary {
  requested: number;
  approved: number;
  rejected: number;
  declined: number;
  activeNow: number;
  approvalTime: Stat;
  accessTime: Stat;
  expiryLag: Stat;
  lateExpiries: LateExpiry[];
  leavers: { count: number; completed: number; inProgress: number; removal: Stat };
  breakglass: Record<BreakglassStatus, number> & { uses: number };
  reviews: Record<ReviewOutcome, number> & { overdue: number };
  drift: DriftFigures;
  audit: AuditCheck;
}

export interface PersonEntry {
  email: string;
  name: string | null;
  github: string | null;
}

export interface TimelineBar {
  grantId: string;
  lane: string;
  resource: string;
  subject: string;
  start: number;
  end: number;
  emergency: boolean;
}

export interface EvidenceReport {
  /** Schema version of this JSON. */
  version: 1;
  generatedAt: number;
  period: Period;
  summary: EvidenceSummary;
  grants: GrantRow[];
  leavers: LeaverRow[];
  breakglass: BreakglassRow[];
  reviews: ReviewRow[];
  groups: GroupComparison[];
  approvals: ApprovalCount[];
  /** Expiry lags of the period's expiries (ms), for the distribution picture. */
  expiryLags: number[];
  timeline: { bars: TimelineBar[]; lanes: number; shownLanes: number };
  /** Everyone the report names, as people.yaml and the directory know them. */
  people: PersonEntry[];
  /** What the report could not read or chose to leave out, in sentences. */
  notes: string[];
}
