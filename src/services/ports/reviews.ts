/**
 * Access reviews of standing members, and use of grants (issue 15). Times are epoch milliseconds.
 */
import type { GrantUsage } from "../../domain/usage.ts";

/**
 * `review`: the periodic review PR of a resource (at most one open per resource);
 * `removal`: a PR deleting standing members grantbot already removed (missed deadline, leaver).
 */
export type ReviewKind = "review" | "removal";

/**
 * opening: recorded, PR being opened; open: PR open; certified / rejected: a merged review,
 * checked; merged: a removal PR merged; closed: closed without merge (or superseded).
 */
export type ReviewState = "opening" | "open" | "certified" | "rejected" | "merged" | "closed";

export const OPEN_REVIEW_STATES: readonly ReviewState[] = ["opening", "open"];

export interface ReviewMember {
  email: string;
  /** The review date that applied when the review was opened (null: never reviewed). */
  effective: string | null;
  /** The date the PR writes (null for removals). */
  proposed: string | null;
  status: "due" | "overdue";
}

export interface ReviewOutcome {
  /** Listed members still standing after the merge. */
  kept: string[];
  removed: string[];
  /** GitHub logins whose approvals counted. */
  approvers: string[];
  reason?: string;
  mergeSha?: string | null;
  policySha?: string | null;
}

export interface AccessReview {
  id: string;
  resource: string;
  kind: ReviewKind;
  /** Why it was opened: members due, a missed deadline, a leaver. */
  cause: "due" | "missed" | "leaver";
  state: ReviewState;
  branch: string;
  members: ReviewMember[];
  prNumber: number | null;
  prUrl: string | null;
  openedAt: number;
  closedAt: number | null;
  outcome: ReviewOutcome | null;
  /** Last reminder sent (epoch ms), null before the first. */
  remindedAt: number | null;
  /** The base-branch commit the PR's branch started from (its policy is checked too), when known. */
  baseSha: string | null;
}

export interface MissedDeadline {
  resource: string;
  email: string;
  /** The review_after that passed (YYYY-MM-DD). */
  deadline: string;
  onMissed: "revoke" | "keep";
  at: number;
}

export interface ReviewStore {
  /**
   * Inserts a review. Returns false (and changes nothing) when the resource already has an open
   * review of kind `review`, or the branch is taken: never two open review PRs for one resource.
   */
  insert(review: AccessReview): Promise<boolean>;
  get(id: string): Promise<AccessReview | null>;
  getByPr(prNumber: number): Promise<AccessReview | null>;
  /** The open (opening or open) review PR of a resource, if any. */
  openReviewOf(resource: string): Promise<AccessReview | null>;
  /** Reviews and removals in `states`, oldest first. */
  listByState(states: readonly ReviewState[]): Promise<AccessReview[]>;
  /** Most recently opened first. */
  recent(limit: number): Promise<AccessReview[]>;
  /** Compare-and-set on state: applies `patch` only while the state is one of `fromStates`. */
  update(id: string, fromStates: readonly ReviewState[], patch: Partial<Pick<AccessReview, "state" | "prNumber" | "prUrl" | "closedAt" | "outcome" | "remindedAt" | "baseSha">>): Promise<boolean>;
  /** Records when each standing member was first seen in the catalog (idempotent). */
  noteStanding(members: readonly { resource: string; email: string }[], at: number): Promise<void>;
  standingSince(resource: string, email: string): Promise<number | null>;
  /** Records that a deadline was missed and handled; false when it was already (idempotent). */
  markMissed(missed: MissedDeadline): Promise<boolean>;
  /** Missed deadlines, newest first. */
  missed(limit: number): Promise<MissedDeadline[]>;
}

export interface UsageLog {
  /**
   * One use of a grant (an introspection that answered active). Costs a Map update: kept in
   * memory and written by `flush`. Never throws.
   */
  record(grantId: string, at: number): void;
  /** Writes the buffered uses in one transaction; returns how many grants were written. */
  flush(): Promise<number>;
  /** What is known of these grants' use: stored plus not yet flushed. Grants never used are absent. */
  forGrants(grantIds: readonly string[]): Promise<Map<string, GrantUsage>>;
}
