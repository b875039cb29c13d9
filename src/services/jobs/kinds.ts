/**
 * The job kinds in the durable queue, each with the type of its payload (checked by the compiler
 * at every `enqueue`) and a zod schema (checked when the job is claimed: a payload a previous
 * version queued that no longer fits is a clear error, not a crash halfway through a handler).
 * Kind names are stored in the database: never rename one.
 */
import { z } from "zod";
import { BREAKGLASS_AUDIENCES, BREAKGLASS_EVENTS } from "../../domain/breakglass.ts";

const id = z.string().min(1);
const grantRef = z.object({ grantId: id });
/** The catalog fields a grant PR's body needs, snapshot at request time (open-pull-request.ts). */
const prPolicy = z.object({
  description: z.string(),
  approvers: z.object({ teams: z.array(z.string()), users: z.array(z.string()), min: z.number().int() }),
  reason_required: z.boolean(),
  duration: z.object({ max: z.string() }),
});
const endReason = z.enum(["expired", "released", "revoked", "leaver", "ineligible"]);
const noteKind = z.enum(["request_opened", "request_failed", "declined", "rejected", "ended", "review"]);
const repair = z.object({ target: z.string(), group: z.string(), email: z.string(), runId: z.string() });

export const JOB_PAYLOADS = {
  open_pr: z.object({ grantId: id, policy: prPolicy.optional() }),
  check_merge: grantRef,
  /** A webhook said a grant PR closed unmerged: read the PR before declining. */
  confirm_close: grantRef,
  activate: grantRef,
  expire: grantRef,
  scim_remove: z.object({ grantId: id, target: z.string(), group: z.string(), subject: z.string(), reason: endReason }),
  notify: z.object({
    grantId: id,
    note: noteKind,
    message: z.string().optional(),
    reason: z.string().optional(),
    approvedBy: z.array(z.string()).optional(),
    changesRequestedBy: z.array(z.string()).optional(),
    required: z.number().int().optional(),
  }),
  deliver_credential: grantRef,
  redact_credential: grantRef,
  pr_comment: z.object({ prNumber: z.number().int(), body: z.string() }),
  close_pr: z.object({ grantId: id.optional(), prNumber: z.number().int(), comment: z.string() }),
  // Leavers, movers and drift
  offboarding_report: z.object({ caseId: id, check: z.number().int().min(0).default(0) }),
  offboarding_notify: z.object({ caseId: id, phase: z.enum(["final", "pending"]), audience: z.enum(["manager", "ops"]), managerOutcome: z.string().optional() }),
  expiry_reminder: grantRef,
  stale_request_notice: z.object({ grantId: id, ageMs: z.number() }),
  reconcile_add: repair,
  reconcile_remove: repair,
  ops_notice: z.object({ title: z.string(), detail: z.string() }),
  mover_check: z.object({ email: z.string(), actor: z.string().optional() }),
  // Slack surfaces: re-render a request card, re-read a PR's reviews, re-publish a Home tab.
  refresh_card: z.object({ grantId: id, post: z.boolean().optional() }),
  check_reviews: grantRef,
  refresh_home: z.object({ email: z.string() }),
  // Access reviews of standing members (services/reviews): open a review (or removal) PR; check a
  // closed one (merged: certify or reject); tell approvers and members; remove one standing member
  // (verified); a leaver's standing memberships.
  review_open: z.object({ reviewId: id }),
  review_pr_check: z.object({ reviewId: id }),
  review_notify: z.object({
    /** The review (opened, reminder, overdue: its approvers; removed: the review that removed them, if any). */
    reviewId: id.optional(),
    event: z.enum(["opened", "reminder", "overdue", "removed"]),
    resource: z.string().optional(),
    /** removed: the member told. */
    email: z.string().optional(),
    cause: z.enum(["review", "missed"]).optional(),
  }),
  standing_remove: z.object({
    resource: z.string(),
    email: z.string(),
    target: z.string(),
    groups: z.array(z.string()).min(1),
    cause: z.enum(["review", "missed", "leaver"]),
    reviewId: z.string().optional(),
  }),
  standing_leaver: z.object({ email: z.string() }),
  // Break-glass (services/breakglass): the review PR, alerts, the PR's outcome, the review deadline.
  open_breakglass_pr: z.object({ grantId: id, policy: prPolicy.optional() }),
  breakglass_notice: z.object({
    grantId: id,
    event: z.enum(BREAKGLASS_EVENTS),
    audience: z.enum(BREAKGLASS_AUDIENCES),
    channel: z.string().optional(),
    /** Sent only if the PR is still not open (the alert that cannot wait for it). */
    fallback: z.boolean().optional(),
  }),
  breakglass_pr_check: grantRef,
  /** The n-th (0-based) escalation of an overdue review: due at the deadline, then daily. */
  breakglass_review_due: z.object({ grantId: id, n: z.number().int().min(0) }),
} as const;

export type JobKind = keyof typeof JOB_PAYLOADS;
/** What a job of kind `K` carries. */
export type JobPayload<K extends JobKind> = z.output<(typeof JOB_PAYLOADS)[K]>;
/** What enqueuing a job of kind `K` takes (defaults may be left out). */
export type JobInput<K extends JobKind> = z.input<(typeof JOB_PAYLOADS)[K]>;

/** Kind names by role, for readable call sites (`JOB.scimRemove`). */
export const JOB = {
  openPr: "open_pr",
  checkMerge: "check_merge",
  confirmClose: "confirm_close",
  activate: "activate",
  expire: "expire",
  scimRemove: "scim_remove",
  notify: "notify",
  deliverCredential: "deliver_credential",
  redactCredential: "redact_credential",
  prComment: "pr_comment",
  closePr: "close_pr",
  offboardingReport: "offboarding_report",
  offboardingNotify: "offboarding_notify",
  expiryReminder: "expiry_reminder",
  staleNotice: "stale_request_notice",
  reconcileAdd: "reconcile_add",
  reconcileRemove: "reconcile_remove",
  opsNotice: "ops_notice",
  moverCheck: "mover_check",
  refreshCard: "refresh_card",
  checkReviews: "check_reviews",
  refreshHome: "refresh_home",
  reviewOpen: "review_open",
  reviewPrCheck: "review_pr_check",
  reviewNotify: "review_notify",
  standingRemove: "standing_remove",
  standingLeaver: "standing_leaver",
  openBreakglassPr: "open_breakglass_pr",
  breakglassNotice: "breakglass_notice",
  breakglassPrCheck: "breakglass_pr_check",
  breakglassReviewDue: "breakglass_review_due",
} as const satisfies Record<string, JobKind>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(JOB_PAYLOADS, kind);
}

/** Parses a claimed job's payload; throws a plain Error naming the kind and the bad fields. */
export function parsePayload<K extends JobKind>(kind: K, payload: unknown): JobPayload<K> {
  const parsed = JOB_PAYLOADS[kind].safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ");
    throw new Error(`invalid ${kind} payload: ${fields}`);
  }
  return parsed.data as JobPayload<K>;
}
