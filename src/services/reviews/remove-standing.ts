/**
 * Job `standing_remove`: remove one standing member from a resource's groups — deleted in a
 * certified review, overdue on a review that revokes, or a leaver. The same guarantees as a
 * grant's removal (grants/remove-membership.ts): a concrete user id, every removal read back
 * (targets/membership.ts), retried with backoff forever (ops alerted after 3 attempts), lock-keyed
 * with that person's other membership changes in the target. A group stays when something else
 * still justifies it: an active grant of the person covering it, or their standing membership of
 * another resource with that group. Then `review.member_removed` is audited (verified) and the
 * person told (not a leaver).
 */
import type { Catalog } from "../../domain/grant-files.ts";
import { standingMembersOf } from "../../domain/review-schedule.ts";
import type { ServiceDeps } from "../deps.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { JOB, type JobPayload } from "../jobs/kinds.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { ensureNotMember } from "../targets/membership.ts";
import { standingFilter, type StandingFilter } from "./standing.ts";

export type StandingRemoveHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "notifier" | "people" | "policy" | "reviews" | "targets" | "tx" | "wake">;

type Removal = JobPayload<"standing_remove">;

/** What else keeps `email` in (target, group), or null. */
async function keptBy(deps: Pick<ServiceDeps, "grants">, catalog: Catalog, filter: StandingFilter, p: Removal, email: string, group: string): Promise<string | null> {
  for (const g of await deps.grants.listBySubject(email, ["active"])) {
    if (g.access?.target === p.target && g.access.groups.includes(group)) return `grant ${g.id}`;
  }
  for (const [id, r] of Object.entries(catalog.resources)) {
    if (id === p.resource || r.scim.target !== p.target || !r.scim.groups.includes(group)) continue;
    if (standingMembersOf(r).some((m) => m.email === email) && filter(id, r, email)) return `standing member of ${id}`;
  }
  return null;
}

export function standingRemoveHandler(deps: StandingRemoveHandlerDeps): KindHandler<"standing_remove"> {
  return {
    maxAttempts: null,
    alertAfterAttempts: 3,
    async onAlert(p, error, attempts) {
      await deps.notifier.ops({ kind: "ops_alert", title: "Removal of a standing member is being retried", detail: `Removing ${p.email} (${p.cause}) from ${p.groups.join(", ")} in ${p.target} keeps failing (attempt ${attempts}): ${error}. grantbot keeps retrying with backoff.` });
    },
    async run(p) {
      const email = p.email.toLowerCase();
      const { catalog } = await deps.policy.current();
      const filter = await standingFilter(deps, catalog);
      const listed = Object.hasOwn(catalog.resources, p.resource) ? catalog.resources[p.resource] : undefined;
      if (p.cause === "missed" && listed && standingMembersOf(listed).some((m) => m.email === email) && filter(p.resource, listed, email)) {
        // Certified (or given a new date) since the deadline passed: they count as desired again.
        await deps.tx.transaction(async () => deps.audit.append({ at: deps.clock.now(), actor: "grantbot", action: "review.removal_skipped", data: { resource: p.resource, email, cause: p.cause, why: "the member is desired again" } }));
        return;
      }
      const directory = deps.targets.get(p.target);
      const groups: { group: string; outcome: string; keptBy?: string }[] = [];
      for (const group of p.groups) {
        const other = await keptBy(deps, catalog, filter, p, email, group);
        groups.push(other ? { group, outcome: "kept", keptBy: other } : { group, outcome: await ensureNotMember(directory, email, group) });
      }
      const now = deps.clock.now();
      await deps.tx.transaction(async () => {
        await deps.audit.append({ at: now, actor: "grantbot", action: "review.member_removed", data: { resource: p.resource, email, cause: p.cause, verified: true, target: p.target, groups, ...(p.reviewId ? { reviewId: p.reviewId } : {}) } });
        if (p.cause !== "leaver") {
          await enqueue(deps.jobs, JOB.reviewNotify, { event: "removed", resource: p.resource, email, cause: p.cause, ...(p.reviewId ? { reviewId: p.reviewId } : {}) }, { dedupeKey: `${JOB.reviewNotify}:removed:${p.resource}:${email}:${p.reviewId ?? now}`, maxAttempts: 20 });
        }
      });
      deps.wake();
    },
  };
}
