/**
 * Starting an access-review PR or a removal PR: `startReview` records it (state `opening`) and
 * queues `review_open` in one transaction — the database refuses a second open review of the
 * same resource — and the job commits the catalog edit on `review/<resource>/<date>` (label
 * `access-review`) and opens the PR with each member's evidence. Idempotent through the branch
 * (ChangeRequests.openEdit). A review PR's approvers are told when it opens (review_notify).
 */
import { AppError } from "../../domain/errors.ts";
import { editStandingMembers, type StandingEdit } from "../../domain/review-catalog-edit.ts";
import { CATALOG_PATH } from "../../domain/review-diff.ts";
import { renderRemovalBody, renderRemovalTitle, renderReviewBody, renderReviewTitle } from "../../domain/review-pr-body.ts";
import { dateOf } from "../../domain/review-schedule.ts";
import type { ServiceDeps } from "../deps.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { queueOpsNotice } from "../messages/ops-notice.ts";
import type { AccessReview, ReviewMember } from "../ports/index.ts";
import { memberEvidence } from "./evidence.ts";

export const REVIEW_LABELS = ["grantbot", "access-review"];

export type StartReviewDeps = Pick<ServiceDeps, "ids" | "jobs" | "reviews" | "tx" | "wake">;

/**
 * Records a review (kind `review`) or removal PR and queues its opening. Returns the review, or
 * null when the database refused it (an open review of the resource exists). Branch:
 * `review/<resource>/<date>`, with a suffix when that branch was used before.
 */
export async function startReview(deps: StartReviewDeps, input: { resource: string; kind: AccessReview["kind"]; cause: AccessReview["cause"]; members: ReviewMember[]; now: number }): Promise<AccessReview | null> {
  const day = dateOf(input.now);
  const suffix = input.kind === "removal" ? `-${input.cause}` : "";
  for (let n = 1; n <= 20; n++) {
    const branch = `review/${input.resource}/${day}${suffix}${n === 1 ? "" : `-${n}`}`;
    const review: AccessReview = { id: deps.ids.next(), resource: input.resource, kind: input.kind, cause: input.cause, state: "opening", branch, members: input.members, prNumber: null, prUrl: null, openedAt: input.now, closedAt: null, outcome: null, remindedAt: null, baseSha: null };
    const inserted = await deps.tx.transaction(async () => {
      if (input.kind === "review" && await deps.reviews.openReviewOf(input.resource)) return "open";
      if (!await deps.reviews.insert(review)) return "taken";
      await enqueue(deps.jobs, JOB.reviewOpen, { reviewId: review.id }, { dedupeKey: `${JOB.reviewOpen}:${review.id}`, maxAttempts: 8 });
      return "ok";
    });
    if (inserted === "open") return null;
    if (inserted === "ok") {
      deps.wake();
      return review;
    }
  }
  return null;
}

export type ReviewOpenHandlerDeps = Pick<ServiceDeps, "audit" | "changes" | "clock" | "credentials" | "grants" | "jobs" | "people" | "policy" | "reviews" | "targets" | "tx" | "usage" | "wake">;

function safeEdit(resource: string, edit: StandingEdit): (text: string) => string {
  return (text) => {
    try {
      return editStandingMembers(text, resource, edit);
    } catch (err) {
      throw new AppError("bad_input", err instanceof Error ? err.message : String(err), { retryable: false });
    }
  };
}

export function reviewOpenHandler(deps: ReviewOpenHandlerDeps): KindHandler<"review_open"> {
  return {
    maxAttempts: 8,
    async run(payload) {
      const review = await deps.reviews.get(payload.reviewId);
      if (!review || review.state !== "opening") return;
      const { catalog, people } = await deps.policy.current();
      const resource = Object.hasOwn(catalog.resources, review.resource) ? catalog.resources[review.resource] : undefined;
      if (!resource) throw new AppError("bad_input", `${review.resource} is no longer in the catalog`, { retryable: false });
      if (review.kind === "review" && !resource.review) throw new AppError("bad_input", `${review.resource} no longer has a review policy`, { retryable: false });
      const now = deps.clock.now();
      const emails = review.members.map((m) => m.email);
      const isReview = review.kind === "review";
      const approvers = [...resource.approvers.teams.map((t) => `@${t}`), ...resource.approvers.users.map((u) => `@${u}`)].join(", ");
      const deadlines = review.members.flatMap((m) => (m.effective ? [m.effective] : [])).sort();
      const opened = await deps.changes.openEdit({
        branch: review.branch,
        path: CATALOG_PATH,
        edit: isReview
          ? safeEdit(review.resource, { moves: new Map(review.members.map((m) => [m.email, m.proposed ?? ""])), removals: new Set() })
          : safeEdit(review.resource, { moves: new Map(), removals: new Set(emails) }),
        commitMessage: isReview ? `Access review of ${review.resource}: move review dates of ${emails.length} standing member(s)` : `Remove ${emails.join(", ")} from the standing members of ${review.resource} (${review.cause})`,
        title: isReview ? renderReviewTitle(review.resource, emails.length) : renderRemovalTitle({ resource: review.resource, cause: review.cause === "leaver" ? "leaver" : "missed", emails, reviewId: review.id }),
        body: isReview
          ? renderReviewBody({
              reviewId: review.id,
              resource: review.resource,
              description: resource.description,
              approvers,
              min: resource.approvers.min,
              policy: resource.review ?? { every: "?", notice: "?", on_missed: "keep" },
              members: await memberEvidence(deps, review.resource, resource, people, review.members, now),
              deadline: deadlines[0] ?? null,
              now,
            })
          : renderRemovalBody({ resource: review.resource, cause: review.cause === "leaver" ? "leaver" : "missed", emails, deadline: deadlines[0] ?? null, reviewId: review.id }),
        labels: [...REVIEW_LABELS, `resource:${review.resource}`],
      });
      await deps.tx.transaction(async () => {
        if (!await deps.reviews.update(review.id, ["opening"], { state: "open", prNumber: opened.number, prUrl: opened.url, baseSha: opened.baseSha ?? null })) return;
        await deps.audit.append({
          at: deps.clock.now(),
          actor: "grantbot",
          action: isReview ? "review.opened" : "review.removal_opened",
          data: { resource: review.resource, members: emails, pr: opened.number, reviewId: review.id, ...(isReview ? {} : { cause: review.cause }) },
        });
        if (isReview) await enqueue(deps.jobs, JOB.reviewNotify, { reviewId: review.id, event: "opened" }, { dedupeKey: `${JOB.reviewNotify}:${review.id}:opened`, maxAttempts: 20 });
      });
      deps.wake();
    },
    async onDead(payload, error) {
      const review = await deps.reviews.get(payload.reviewId);
      if (!review) return;
      await deps.tx.transaction(async () => {
        if (!await deps.reviews.update(review.id, ["opening"], { state: "closed", closedAt: deps.clock.now(), outcome: { kept: [], removed: [], approvers: [], reason: `the pull request could not be opened: ${error}` } })) return;
        await deps.audit.append({ at: deps.clock.now(), actor: "grantbot", action: "review.open_failed", data: { resource: review.resource, reviewId: review.id, kind: review.kind, error } });
      });
      await queueOpsNotice(deps, `review-open-failed:${review.id}`, `An access-review PR for ${review.resource} could not be opened`, `${review.kind === "review" ? "Review" : "Removal"} PR for ${review.members.map((m) => m.email).join(", ")}: ${error}. grantbot tries again at the next review check.`);
    },
  };
}
