/**
 * The access-review check (schedule.ts: at start-up and hourly; `grantbot reviews` shows the same
 * state). For each resource with a `review` policy:
 * - members whose deadline passed with no certified review: handled once per deadline —
 *   `on_missed: revoke`: no longer desired (reconcile agrees, standing.ts), a verified removal job
 *   each, a PR deleting their lines, and an open review listing them closed; `keep`: escalated to
 *   ops, access kept;
 * - members due (review_after within `notice`, never reviewed, or overdue but kept): one review
 *   PR listing them all, unless one is open — never two; nobody due, no PR;
 * - an open review PR: a reminder to its approvers every few days.
 * Leavers are left to the leaver flow (leaver-standing.ts).
 */
import { dateOf, memberSchedules, proposedReviewAfter, type MemberSchedule } from "../../domain/review-schedule.ts";
import type { CatalogResource } from "../../domain/grant-files.ts";
import type { ServiceDeps } from "../deps.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import { queueOpsNotice } from "../messages/ops-notice.ts";
import type { AccessReview } from "../ports/index.ts";
import { startReview } from "./open-review.ts";
import { isLeaver, reviewHolds } from "./standing.ts";

/** Reminders to the approvers of an open review, after the one sent when it opened. */
export const REMIND_EVERY_MS = 3 * 86_400_000;

export type CheckAccessReviewsDeps = Pick<ServiceDeps, "audit" | "clock" | "ids" | "jobs" | "people" | "policy" | "reviews" | "tx" | "wake">;

export interface ReviewCheckResult {
  opened: string[];
  overdue: { resource: string; members: string[]; onMissed: "revoke" | "keep" }[];
  reminded: string[];
}

type Overdue = MemberSchedule & { effective: string };

/**
 * Queues the verified removal of one standing member from the resource's groups. Call in a
 * transaction. `event` names what caused it (a review id, a missed deadline, a leaver's day), so the
 * same event never queues it twice and a later one always can.
 */
export async function queueStandingRemoval(deps: Pick<ServiceDeps, "jobs">, resourceId: string, resource: CatalogResource, email: string, cause: "review" | "missed" | "leaver", event: string, reviewId?: string): Promise<void> {
  await enqueue(
    deps.jobs,
    JOB.standingRemove,
    { resource: resourceId, email, target: resource.scim.target, groups: [...resource.scim.groups], cause, ...(reviewId ? { reviewId } : {}) },
    { dedupeKey: `${JOB.standingRemove}:${resourceId}:${email}:${cause}:${event}`, lockKey: lockKeys.scimUser(resource.scim.target, email), maxAttempts: null },
  );
}

async function closeReview(deps: Pick<ServiceDeps, "audit" | "jobs" | "reviews">, review: AccessReview, now: number, reason: string, comment: string): Promise<void> {
  if (!await deps.reviews.update(review.id, ["opening", "open"], { state: "closed", closedAt: now, outcome: { kept: [], removed: [], approvers: [], reason } })) return;
  await deps.audit.append({ at: now, actor: "grantbot", action: "review.closed", data: { resource: review.resource, pr: review.prNumber, reviewId: review.id, reason } });
  if (review.prNumber !== null) await enqueue(deps.jobs, JOB.closePr, { prNumber: review.prNumber, comment }, { dedupeKey: `${JOB.closePr}:review:${review.id}`, maxAttempts: 20 });
}

async function handleOverdue(deps: CheckAccessReviewsDeps, id: string, resource: CatalogResource, overdue: Overdue[], now: number, result: ReviewCheckResult): Promise<void> {
  const onMissed = resource.review?.on_missed ?? "keep";
  const fresh: Overdue[] = [];
  await deps.tx.transaction(async () => {
    for (const m of overdue) if (await deps.reviews.markMissed({ resource: id, email: m.email, deadline: m.effective, onMissed, at: now })) fresh.push(m);
    if (fresh.length === 0) return;
    const members = fresh.map((m) => m.email);
    await deps.audit.append({ at: now, actor: "grantbot", action: "review.overdue", data: { resource: id, members, on_missed: onMissed, deadlines: fresh.map((m) => m.effective) } });
    const open = await deps.reviews.openReviewOf(id);
    if (onMissed === "keep") {
      await queueOpsNotice(deps, `review-overdue:${id}:${members.join(",")}:${fresh[0]!.effective}`, `Access review of ${id} is overdue`, `The review deadline passed for ${members.join(", ")} with no certified review. on_missed is keep: they keep their access.${open?.prUrl ? ` Review: ${open.prUrl}` : ""}`);
      if (open) await enqueue(deps.jobs, JOB.reviewNotify, { reviewId: open.id, event: "overdue" }, { dedupeKey: `${JOB.reviewNotify}:${open.id}:overdue:${fresh[0]!.effective}`, maxAttempts: 20 });
      return;
    }
    for (const m of fresh) await queueStandingRemoval(deps, id, resource, m.email, "missed", m.effective);
    if (open && open.members.some((m) => members.includes(m.email))) {
      await closeReview(deps, open, now, `deadline missed for ${members.join(", ")}`, `⏰ **Closed by grantbot:** the review deadline passed for ${members.join(", ")}; with \`on_missed: revoke\` their access was removed and a PR deletes their lines. Members still due get a new review PR.`);
    }
    // In the same transaction: a crash cannot leave the removal done and its PR never opened.
    await startReview(deps, { resource: id, kind: "removal", cause: "missed", members: fresh.map((m) => ({ email: m.email, effective: m.effective, proposed: null, status: "overdue" })), now });
  });
  if (fresh.length === 0) return;
  result.overdue.push({ resource: id, members: fresh.map((m) => m.email), onMissed });
  deps.wake();
}

async function remind(deps: CheckAccessReviewsDeps, review: AccessReview, now: number, result: ReviewCheckResult): Promise<void> {
  if (review.state !== "open" || now - (review.remindedAt ?? review.openedAt) < REMIND_EVERY_MS) return;
  await deps.tx.transaction(async () => {
    if (!await deps.reviews.update(review.id, ["open"], { remindedAt: now })) return;
    await enqueue(deps.jobs, JOB.reviewNotify, { reviewId: review.id, event: "reminder" }, { dedupeKey: `${JOB.reviewNotify}:${review.id}:reminder:${now}`, maxAttempts: 20 });
    result.reminded.push(review.resource);
  });
  deps.wake();
}

export async function checkAccessReviews(deps: CheckAccessReviewsDeps): Promise<ReviewCheckResult> {
  // Fresh (a conditional request): the dates a review compares with must be the base branch's now.
  const { catalog } = await deps.policy.current({ maxAgeMs: 0 });
  const now = deps.clock.now();
  const holds = await reviewHolds(deps);
  const result: ReviewCheckResult = { opened: [], overdue: [], reminded: [] };
  await deps.reviews.noteStanding(
    Object.entries(catalog.resources).flatMap(([id, r]) => r.standing_members.map((m) => ({ resource: id, email: typeof m === "string" ? m : m.email }))),
    now,
  );
  for (const [id, resource] of Object.entries(catalog.resources)) {
    if (!resource.review) continue;
    const policy = resource.review;
    const schedules: ReturnType<typeof memberSchedules> = [];
    for (const m of memberSchedules(id, resource, now, holds)) if (!(await isLeaver(deps, m.email))) schedules.push(m);
    const overdue = schedules.filter((m): m is Overdue => m.status === "overdue" && m.effective !== null);
    if (overdue.length > 0) await handleOverdue(deps, id, resource, overdue, now, result);
    const open = await deps.reviews.openReviewOf(id);
    if (open) {
      await remind(deps, open, now, result);
      continue;
    }
    const due = schedules.filter((m) => m.status === "due" || (m.status === "overdue" && policy.on_missed === "keep"));
    if (due.length === 0) continue;
    const members = due.map((m) => ({ email: m.email, effective: m.effective, proposed: proposedReviewAfter(m.effective, policy, now), status: m.status === "overdue" ? ("overdue" as const) : ("due" as const) }));
    if (members.every((m) => m.proposed === schedules.find((x) => x.email === m.email)?.reviewAfter)) {
      // The catalog already carries the dates a review would write, but nobody certified them (a
      // rejected review was merged): no PR can change anything until that merge is reverted.
      await queueOpsNotice(deps, `review-blocked:${id}:${dateOf(now)}`, `Access review of ${id} cannot be opened`, `${members.map((m) => m.email).join(", ")} are due, but grants/catalog.yaml already has the review dates a review would write, from a merged review that was rejected. Revert that merge; meanwhile they are held to their previous dates (${members.map((m) => m.effective ?? "never reviewed").join(", ")}).`);
      continue;
    }
    if (await startReview(deps, { resource: id, kind: "review", cause: "due", members, now })) result.opened.push(id);
  }
  return result;
}
