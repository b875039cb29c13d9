/**
 * Job `standing_leaver` (queued by leavers/offboard-person.ts for every leaver): a standing member
 * who left the company is removed at once from every resource listing them — a verified removal
 * job per resource (they stop counting as desired the moment the directory says they left, so
 * reconcile agrees) — and a PR per resource deletes their line from the catalog.
 */
import { dateOf, standingMembersOf } from "../../domain/review-schedule.ts";
import type { ServiceDeps } from "../deps.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { queueStandingRemoval } from "./check-reviews.ts";
import { startReview } from "./open-review.ts";

export type StandingLeaverHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "ids" | "jobs" | "policy" | "reviews" | "tx" | "wake">;

export function standingLeaverHandler(deps: StandingLeaverHandlerDeps): KindHandler<"standing_leaver"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const email = payload.email.toLowerCase();
      const { catalog } = await deps.policy.current();
      const listing = Object.entries(catalog.resources).flatMap(([id, r]) => {
        const member = standingMembersOf(r).find((m) => m.email === email);
        return member ? [{ id, resource: r, member }] : [];
      });
      if (listing.length === 0) return;
      const now = deps.clock.now();
      await deps.tx.transaction(async () => {
        for (const { id, resource } of listing) await queueStandingRemoval(deps, id, resource, email, "leaver", dateOf(now));
        await deps.audit.append({ at: now, actor: "grantbot", action: "review.leaver", data: { email, resources: listing.map((l) => l.id) } });
      });
      const open = await deps.reviews.listByState(["opening", "open"]);
      for (const { id, member } of listing) {
        if (open.some((r) => r.kind === "removal" && r.resource === id && r.members.some((m) => m.email === email))) continue;
        await startReview(deps, { resource: id, kind: "removal", cause: "leaver", members: [{ email, effective: member.reviewAfter, proposed: null, status: "due" }], now });
      }
      deps.wake();
    },
  };
}
