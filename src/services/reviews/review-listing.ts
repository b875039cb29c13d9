/**
 * The state of access reviews for `grantbot reviews`: members due and overdue (from the catalog,
 * the dates held by rejected reviews and the directory), review and removal PRs still open, and
 * the completed ones with their outcome (kept, removed, approvers, or why rejected).
 */
import type { Catalog } from "../../domain/grant-files.ts";
import { memberSchedules } from "../../domain/review-schedule.ts";
import type { ServiceDeps } from "../deps.ts";
import type { AccessReview } from "../ports/index.ts";
import { isLeaver, reviewHolds } from "./standing.ts";

export interface ReviewListing {
  due: { resource: string; email: string; reviewAfter: string | null; pr: number | null }[];
  overdue: { resource: string; email: string; reviewAfter: string; onMissed: "revoke" | "keep"; pr: number | null }[];
  open: { resource: string; kind: AccessReview["kind"]; cause: AccessReview["cause"]; pr: number | null; url: string | null; members: string[]; openedAt: string }[];
  completed: { resource: string; kind: AccessReview["kind"]; state: AccessReview["state"]; pr: number | null; closedAt: string | null; kept: string[]; removed: string[]; approvers: string[]; reason: string | null }[];
}

export type ListReviewsDeps = Pick<ServiceDeps, "clock" | "people" | "reviews">;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function listReviews(deps: ListReviewsDeps, catalog: Catalog, completedLimit = 50): Promise<ReviewListing> {
  const now = deps.clock.now();
  const holds = await reviewHolds(deps);
  const listing: ReviewListing = { due: [], overdue: [], open: [], completed: [] };
  for (const [id, resource] of Object.entries(catalog.resources)) {
    if (!resource.review) continue;
    const pr = (await deps.reviews.openReviewOf(id))?.prNumber ?? null;
    for (const m of memberSchedules(id, resource, now, holds)) {
      if (await isLeaver(deps, m.email)) continue;
      if (m.status === "overdue" && m.effective !== null) listing.overdue.push({ resource: id, email: m.email, reviewAfter: m.effective, onMissed: resource.review.on_missed, pr });
      else if (m.status !== "current") listing.due.push({ resource: id, email: m.email, reviewAfter: m.effective, pr });
    }
  }
  for (const r of await deps.reviews.listByState(["opening", "open"])) {
    listing.open.push({ resource: r.resource, kind: r.kind, cause: r.cause, pr: r.prNumber, url: r.prUrl, members: r.members.map((m) => m.email), openedAt: iso(r.openedAt)! });
  }
  for (const r of (await deps.reviews.recent(completedLimit * 2)).filter((x) => x.state !== "opening" && x.state !== "open").slice(0, completedLimit)) {
    listing.completed.push({
      resource: r.resource,
      kind: r.kind,
      state: r.state,
      pr: r.prNumber,
      closedAt: iso(r.closedAt),
      kept: r.outcome?.kept ?? [],
      removed: r.outcome?.removed ?? [],
      approvers: r.outcome?.approvers ?? [],
      reason: r.outcome?.reason ?? null,
    });
  }
  return listing;
}
