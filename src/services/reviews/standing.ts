/**
 * Which standing members still count as desired (reconcile, the removal jobs, the review check
 * all ask the same question, so they cannot disagree): everyone the catalog lists, except
 * - a member overdue on a resource with `on_missed: revoke` (their review deadline passed with no
 *   certified review: they are removed and must not be re-added while the catalog still lists
 *   them — the PR deleting their line may take a while to merge);
 * - a leaver (the directory says inactive or deleted): removed at once, before their line goes.
 * "Overdue" uses the dates held by rejected reviews (holds), not only the catalog's.
 */
import type { Catalog, CatalogResource } from "../../domain/grant-files.ts";
import { holdKey, isStandingDesired, standingMembersOf, type Holds } from "../../domain/review-schedule.ts";
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

export async function reviewHolds(deps: ReviewHoldsDeps): Promise<Holds> {
  return holdsFrom(await deps.reviews.listByState(["certified", "rejected"]));
}

export type IsLeaverDeps = Pick<ServiceDeps, "people">;

/** The directory says the person left (inactive or deleted). Unknown to the directory: not a leaver. */
export async function isLeaver(deps: IsLeaverDeps, email: string): Promise<boolean> {
  const record = await deps.people.get(email.toLowerCase());
  return record !== null && (!record.active || record.removedAt !== null);
}

export type StandingFilterDeps = Pick<ServiceDeps, "clock" | "people" | "reviews">;

/**
 * The filter for `catalog`'s standing members: the directory records of every listed member are
 * read once here, so the filter itself answers synchronously. A member the catalog does not list
 * is never a desired standing member, whatever the directory says.
 */
export async function standingFilter(deps: StandingFilterDeps, catalog: Catalog): Promise<StandingFilter> {
  const now = deps.clock.now();
  const holds = await reviewHolds(deps);
  const leavers = new Set<string>();
  const listed = new Set(Object.values(catalog.resources).flatMap((r) => standingMembersOf(r).map((m) => m.email.toLowerCase())));
  for (const email of listed) if (await isLeaver(deps, email)) leavers.add(email);
  return (resourceId, resource, email) => !leavers.has(email.toLowerCase()) && isStandingDesired(resourceId, resource, email, now, holds);
}
