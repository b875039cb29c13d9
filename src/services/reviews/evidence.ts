/**
 * What reviewers see about each standing member in an access-review PR: the directory's word
 * (active, manager, groups), whether they still meet the resource's `eligible` rule, how long
 * grantbot has seen them standing and when they were last certified, their use of the target
 * (only when the target can report it: otherwise "unknown", never a guess) and their grants of
 * the resource with the use grantbot saw.
 */
import { isEligible } from "../../domain/eligibility.ts";
import type { CatalogResource, People } from "../../domain/grant-files.ts";
import type { MemberEvidence } from "../../domain/review-pr-body.ts";
import { utcMinute } from "../../domain/usage.ts";
import type { ServiceDeps } from "../deps.ts";
import { groupsFor } from "../policy/people-groups.ts";
import type { AccessReview, ReviewMember } from "../ports/index.ts";
import { historyOf } from "../usage/grant-usage.ts";

/** Window of a member's grants shown in the review. */
export const REVIEW_USAGE_WINDOW_MS = 90 * 86_400_000;

export type MemberEvidenceDeps = Pick<ServiceDeps, "credentials" | "grants" | "people" | "reviews" | "targets" | "usage">;

function lastCertified(history: readonly AccessReview[], resource: string, email: string): { at: number; pr: number | null } | null {
  let best: { at: number; pr: number | null } | null = null;
  for (const r of history) {
    if (r.resource !== resource || r.state !== "certified" || !r.outcome?.kept.includes(email)) continue;
    const at = r.closedAt ?? r.openedAt;
    if (!best || at > best.at) best = { at, pr: r.prNumber };
  }
  return best;
}

async function targetUse(deps: MemberEvidenceDeps, target: string, email: string): Promise<string> {
  let directory;
  try {
    directory = deps.targets.get(target);
  } catch {
    return `unknown: SCIM target ${target} is not configured`;
  }
  if (!directory.lastUse) return `unknown: SCIM target ${target} reports no sign-in or last-use data`;
  try {
    const at = await directory.lastUse(email);
    return at === null ? `never signed in, says ${target}` : `last sign-in ${utcMinute(at)}, says ${target}`;
  } catch (err) {
    return `unknown: ${target} could not be read (${err instanceof Error ? err.message : String(err)})`;
  }
}

export async function memberEvidence(deps: MemberEvidenceDeps, resourceId: string, resource: CatalogResource, people: People, members: readonly ReviewMember[], now: number): Promise<MemberEvidence[]> {
  const certified = await deps.reviews.listByState(["certified"]);
  const out: MemberEvidence[] = [];
  for (const m of members) {
    const record = await deps.people.get(m.email);
    out.push({
      email: m.email,
      status: m.status,
      effective: m.effective,
      proposed: m.proposed ?? "",
      directory: record
        ? { known: true, active: record.active, removed: record.removedAt !== null, manager: record.managerEmail, groups: record.groups }
        : { known: false, active: false, removed: false, manager: null, groups: null },
      eligible: resource.eligible === undefined ? null : isEligible(resource, await groupsFor(deps, people, m.email)),
      standingSince: await deps.reviews.standingSince(resourceId, m.email),
      lastCertified: lastCertified(certified, resourceId, m.email),
      targetUse: await targetUse(deps, resource.scim.target, m.email),
      grants: await historyOf(deps, m.email, resourceId, now, REVIEW_USAGE_WINDOW_MS),
    });
  }
  return out;
}
