/**
 * Whether a catalog `standing_members` entry keeps a membership that an ending grant would remove:
 * a person who holds both a grant and standing access keeps the standing access when the grant
 * ends. Only members who still count as desired do (services/reviews/standing.ts: not a leaver,
 * not overdue on a review that revokes) — the same rule reconciliation uses.
 */
import { standingMembersOf } from "../../domain/review-schedule.ts";
import type { ServiceDeps } from "../deps.ts";
import { standingFilter } from "../reviews/standing.ts";

export type StandingCoverage = (target: string, group: string, email: string) => boolean;

export type StandingCoverageDeps = Pick<ServiceDeps, "policy" | "clock" | "people" | "reviews" | "log">;

/**
 * When the catalog cannot be read (GitHub down and never loaded), nobody is covered: the removal
 * goes ahead — the safe direction for access — and reconciliation restores standing access (on
 * resources with `enforce`) once the catalog is back.
 *
 * `listedOnly`: who the policy already loaded lists as standing members — read without a call to
 * GitHub (unless none was ever loaded) and without directory or review reads; a superset of who is
 * kept, for a quick "could this membership be a standing one?" ahead of the full answer.
 */
export async function standingCoverage(deps: StandingCoverageDeps, options: { listedOnly?: boolean } = {}): Promise<StandingCoverage> {
  let catalog;
  try {
    ({ catalog } = await deps.policy.current(options.listedOnly ? { maxAgeMs: Number.POSITIVE_INFINITY } : {}));
  } catch (err) {
    deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, "catalog unavailable: standing members not considered for this removal");
    return () => false;
  }
  const keep = options.listedOnly ? () => true : await standingFilter(deps, catalog);
  const covered = new Set<string>();
  for (const [id, resource] of Object.entries(catalog.resources)) {
    for (const member of standingMembersOf(resource)) {
      const email = member.email.toLowerCase();
      if (!keep(id, resource, email)) continue;
      for (const group of resource.scim.groups) covered.add(`${resource.scim.target}\u0000${group}\u0000${email}`);
    }
  }
  return (target, group, email) => covered.has(`${target}\u0000${group}\u0000${email.toLowerCase()}`);
}
