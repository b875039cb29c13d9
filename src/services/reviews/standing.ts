/**
 * Which standing members still count as desired (reconcile, the removal jobs, the review check
 * all ask the same question, so they cannot disagree): everyone the catalog lists, except
 * - a member overdue on a resource with `on_missed: revoke` (their review deadline passed with no
 *   certified review: they are removed and must not be re-added while the catalog still lists
 *   them — the PR deleting their line may take a while to merge);
 * - a leaver (the directory says inactive or deleted): removed at once, before their line goes.
 * "Overdue" uses the dates held by rejected reviews (holds), not only the catalog's.
 */
import type { CatalogResource } from "../../domain/grant-files.ts";
import { holdKey, isStandingDesired, type Holds } from "../../domain/review-schedule.ts";
import type { ServiceDeps } from "../deps.ts";
import type { AccessReview, ReviewStore } from "../ports/index.ts";

/** (resource id, resource, email) -> does this standing member count as desired now? */
export type StandingFilter = (resourceId: string, resource: CatalogResource, email: string) => boolean;

/**
 * Dates grantbot holds members to: a member listed in a review that was merged but rejected is
 * held to the date they had when it opened, until a later certified review lists them.
 */
export function holdsFrom(history: readonly AccessReview[]): Map<string, string> {
  const holds = new Map<string, string>();
  const done = history.filter((r) => r.kind === "review" && (r.state === "certified" || r.state === "rejected"));
  done.sort((a, b) => (a.closedAt ?? a.openedAt) - (b.closedAt ?? b.openedAt));
  for (const review of done) {
    for (const m of review.members) {
      const key = holdKey(review.resource, m.email);
      if (review.state === "certified") holds.delete(key);
      else if (m.effective !== null) holds.set(key, m.effective);
    }
  }
  return holds;
}

export type ReviewHoldsDeps = { reviews: Pick<ReviewStore, "listByState"> };

export function reviewHolds(deps: ReviewHoldsDeps): Holds {
  return holdsFrom(deps.reviews.listByState(["certified", "rejected"]));
}

export type IsLeaverDeps = Pick<ServiceDeps, "people">;

/** The directory says the person left (inactive or deleted). Unknown to the directory: not a leaver. */
export function isLeaver(deps: IsLeaverDeps, email: string): boolean {
  const record = deps.people.get(email.toLowerCase());
  return record !== null && (!record.active || record.removedAt !== null);
}

export type StandingFilterDeps = Pick<ServiceDeps, "clock" | "people" | "reviews">;

export function standingFilter(deps: StandingFilterDeps): StandingFilter {
  const now = deps.clock.now();
  const holds = reviewHolds(deps);
  return (resourceId, resource, email) => !isLeaver(deps, email) && isStandingDesired(resourceId, resource, email, now, holds);
}
