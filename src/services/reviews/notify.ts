/**
 * Job `review_notify`: what people are told about access reviews.
 * - opened / reminder / overdue: the resource's approver users by DM (people.yaml gives their
 *   email and Slack id; a member the review lists is not asked to review themselves) and the
 *   resource's `slack_channel` (the ops channel when it has none). Approver teams are reached
 *   through the channel: grantbot cannot list a team's members.
 * - removed: the member whose standing access was removed (not for leavers).
 */
import { resolvePersonByGithub } from "../../domain/policy-approvals.ts";
import type { ServiceDeps } from "../deps.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { Note } from "../ports/index.ts";

export type ReviewNotifyHandlerDeps = Pick<ServiceDeps, "notifier" | "policy" | "reviews">;

export function reviewNotifyHandler(deps: ReviewNotifyHandlerDeps): KindHandler<"review_notify"> {
  return {
    maxAttempts: 20,
    async run(p) {
      const review = p.reviewId ? await deps.reviews.get(p.reviewId) : null;
      if (p.event === "removed") {
        if (!p.email || !p.resource) return;
        await deps.notifier.send({ email: p.email }, { kind: "standing_removed", resource: p.resource, cause: p.cause ?? "review", prUrl: review?.prUrl ?? null });
        return;
      }
      if (!review || review.state !== "open") return;
      const { catalog, people } = await deps.policy.current();
      const resource = Object.hasOwn(catalog.resources, review.resource) ? catalog.resources[review.resource] : undefined;
      if (!resource) return;
      const members = review.members.map((m) => m.email);
      const deadline = review.members.flatMap((m) => (m.effective ? [m.effective] : [])).sort()[0] ?? null;
      const note: Note = { kind: "access_review", event: p.event, resource: review.resource, prUrl: review.prUrl, members, deadline, onMissed: resource.review?.on_missed ?? "keep" };
      for (const login of resource.approvers.users) {
        const person = resolvePersonByGithub(people, login);
        if (!person || members.includes(person.email)) continue;
        await deps.notifier.send({ email: person.email, slackId: person.slack ?? null }, note);
      }
      if (resource.slack_channel) await deps.notifier.toChannel(resource.slack_channel, note);
      else await deps.notifier.ops(note);
    },
  };
}
