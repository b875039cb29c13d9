/**
 * The grant (= access request) model and its state machine. Pure.
 *
 *   requested -> pr_open -> approved -> active -> expired | released | revoked
 *   requested | pr_open -> declined | rejected | cancelled
 */
import { AppError } from "./errors.ts";

export const GRANT_STATES = [
  "requested",
  "pr_open",
  "approved",
  "active",
  "expired",
  "released",
  "revoked",
  "declined",
  "rejected",
  "cancelled",
] as const;
export type GrantState = (typeof GRANT_STATES)[number];

export const TRANSITIONS: Readonly<Record<GrantState, readonly GrantState[]>> = {
  requested: ["pr_open", "declined", "rejected", "cancelled"],
  pr_open: ["approved", "declined", "rejected", "cancelled"],
  approved: ["active", "revoked"],
  active: ["expired", "released", "revoked"],
  expired: [],
  released: [],
  revoked: [],
  declined: [],
  rejected: [],
  cancelled: [],
};

/** States in which a grant still gives (or is about to give) access. */
export const LIVE_STATES: readonly GrantState[] = ["approved", "active"];
/** States in which a request waits for review. */
export const PENDING_STATES: readonly GrantState[] = ["requested", "pr_open"];
export const TERMINAL_STATES: readonly GrantState[] = GRANT_STATES.filter((s) => TRANSITIONS[s].length === 0);

export function canTransition(from: GrantState, to: GrantState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws `invalid_transition` unless `from -> to` is legal. */
export function assertTransition(from: GrantState, to: GrantState): void {
  if (!canTransition(from, to)) {
    throw new AppError("invalid_transition", `a grant cannot go from ${from} to ${to}`);
  }
}

export function isTerminal(state: GrantState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** Why a live grant ended; stored with the grant and shown to users. */
export type EndReason = "expired" | "released" | "revoked" | "leaver" | "ineligible" | "extended";

/** A grant as grantbot stores it. Times are epoch milliseconds. */
export interface Grant {
  id: string;
  resource: string;
  subject: string; // lower-cased email
  requester: string; // lower-cased email
  requesterSlackId: string | null;
  durationMs: number;
  reason: string;
  requestedAt: number;
  extends: string | null;
  state: GrantState;
  /** The exact grant file text grantbot committed (compared byte for byte at merge). */
  fileContent: string;
  filePath: string;
  branch: string;
  prNumber: number | null;
  prUrl: string | null;
  headSha: string | null;
  mergeSha: string | null;
  approvedBy: string[];
  approvedAt: number | null;
  activatedAt: number | null;
  expiresAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  /**
   * The SCIM memberships this grant may give: recorded when it is approved, BEFORE activation's
   * first SCIM change (grants approved by older versions get it just before that change), so
   * every end of the grant — whatever state it is in — removes exactly these. With the subject's
   * SCIM user id in that target once activation has resolved it.
   */
  access: { target: string; groups: string[]; userId?: string } | null;
  /**
   * The commit the grant's policy was read at: the merge commit's first parent (the base branch
   * as it was before the merge). Activation takes groups, audience and scopes from it too.
   * Absent on grants approved by older versions.
   */
  policySha?: string | null;
  /** Where the credential DM was posted, so it can be redacted when the grant ends. */
  credentialMessage: { channel: string; ts: string } | null;
  /**
   * For a service identity (non-human subject): the lower-cased email of the person who owns it
   * (grant file `owner`). Reported as orphaned when that person leaves. Absent = none.
   */
  owner?: string | null;
  updatedAt: number;
}

/** Expiry = activation moment + duration (PRODUCT.md). */
export function expiryFor(activatedAt: number, durationMs: number): number {
  return activatedAt + durationMs;
}

/** `grants/<resource>/<id>.yaml` */
export function grantFilePath(resource: string, id: string): string {
  return `grants/${resource}/${id}.yaml`;
}

/** `grant/<id>` */
export function grantBranch(id: string): string {
  return `grant/${id}`;
}

/** The fields a new request must supply; everything else starts empty. */
export type NewGrantFields = Pick<Grant, "id" | "resource" | "subject" | "requester" | "requesterSlackId" | "durationMs" | "reason" | "requestedAt" | "fileContent"> &
  Partial<Grant>;

/** A grant in state `requested`, with its file path and branch derived from id and resource. */
export function newGrant(fields: NewGrantFields): Grant {
  return {
    extends: null,
    state: "requested",
    filePath: grantFilePath(fields.resource, fields.id),
    branch: grantBranch(fields.id),
    prNumber: null,
    prUrl: null,
    headSha: null,
    mergeSha: null,
    approvedBy: [],
    approvedAt: null,
    activatedAt: null,
    expiresAt: null,
    endedAt: null,
    endReason: null,
    access: null,
    credentialMessage: null,
    updatedAt: fields.requestedAt,
    ...fields,
  };
}
