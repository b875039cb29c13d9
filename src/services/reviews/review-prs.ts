/**
 * Noticing that a review (or removal) PR closed: from the `pull_request.closed` webhook, and by
 * polling grantbot's open review PRs (the only way without a webhook secret, a backstop with one).
 * Either way a `review_pr_check` job reads the PR from the API and acts (review-pr-check.ts);
 * the job is idempotent (the review's state moves once), so a webhook and a poll that both see
 * the close change nothing twice.
 */
import type { ServiceDeps } from "../deps.ts";
import { enqueue, payloadOf } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";

type QueueDeps = Pick<ServiceDeps, "jobs" | "wake">;

async function queueCheck(deps: QueueDeps, reviewId: string): Promise<boolean> {
  const pending = (await deps.jobs.pendingOf(JOB.reviewPrCheck)).some((j) => payloadOf(JOB.reviewPrCheck, j).reviewId === reviewId);
  if (pending) return false;
  await enqueue(deps.jobs, JOB.reviewPrCheck, { reviewId }, { lockKey: `review:${reviewId}`, maxAttempts: 30 });
  deps.wake();
  return true;
}

export type OnReviewPullRequestClosedDeps = Pick<ServiceDeps, "jobs" | "reviews" | "wake">;

/** A webhook said PR `number` closed: if it is one of grantbot's open review PRs, check it. */
export async function onReviewPullRequestClosed(deps: OnReviewPullRequestClosedDeps, number: number): Promise<"ignored" | "checking"> {
  const review = await deps.reviews.getByPr(number);
  if (!review || review.state !== "open") return "ignored";
  await queueCheck(deps, review.id);
  return "checking";
}

export type PollReviewPrsDeps = Pick<ServiceDeps, "changes" | "jobs" | "reviews" | "wake">;

/** Reads each open review PR; the closed ones are checked. Returns how many were queued. */
export async function pollReviewPrs(deps: PollReviewPrsDeps): Promise<number> {
  let queued = 0;
  for (const review of await deps.reviews.listByState(["open"])) {
    if (review.prNumber === null) continue;
    const pr = await deps.changes.get(review.prNumber);
    if (pr.state === "closed" && await queueCheck(deps, review.id)) queued++;
  }
  return queued;
}
