/**
 * Approvals so far on a pending request: after a `pull_request_review` webhook, or by polling,
 * re-read the PR's reviews and count them with the catalog's rules (the same evaluateApprovals
 * the merge check uses). A change updates the request card and the Home tabs, and the requester
 * gets a DM ("carol-gh approved: 1 of 1").
 */
import { evaluateApprovals } from "../../domain/policy.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { CatalogResource } from "../../domain/grant-files.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import type { Review } from "../ports/index.ts";
import { queueDebounced, queueHomeRefreshes } from "../surfaces/slack-refresh.ts";
import type { ReviewSnapshot, SlackExperience } from "../ports/slack.ts";

export type OnPullRequestReviewDeps = Pick<ServiceDeps, "clock" | "grants" | "jobs" | "wake">;

/** A review was submitted on PR `number` (webhook). Returns what happened, for the response body. */
export async function onPullRequestReview(deps: OnPullRequestReviewDeps, number: number): Promise<"ignored" | "checking"> {
  const grant = await deps.grants.getByPrNumber(number);
  if (!grant || grant.state !== "pr_open") return "ignored";
  await queueDebounced(deps, JOB.checkReviews, grant.id, { grantId: grant.id });
  deps.wake();
  return "checking";
}

export type PollReviewsDeps = Pick<ServiceDeps, "clock" | "grants" | "jobs" | "wake">;

/** Polling: queues a review check of every open request PR (at most `limit`). */
export async function pollReviews(deps: PollReviewsDeps, limit = 50): Promise<number> {
  const open = await deps.grants.listByState(["pr_open"], limit);
  for (const grant of open) await queueDebounced(deps, JOB.checkReviews, grant.id, { grantId: grant.id });
  if (open.length > 0) deps.wake();
  return open.length;
}

export type TeamMembersAmongDeps = Pick<ServiceDeps, "changes">;

/** Team -> the members among `logins` (one membership call per login and team). */
export async function teamMembersAmong(deps: TeamMembersAmongDeps, resource: CatalogResource, logins: Iterable<string>): Promise<Map<string, Set<string>>> {
  const unique = [...new Set([...logins].map((l) => l.toLowerCase()))];
  const out = new Map<string, Set<string>>();
  for (const team of resource.approvers.teams) {
    const members = new Set<string>();
    for (const login of unique) if (await deps.changes.isTeamMember(team, login)) members.add(login);
    out.set(team, members);
  }
  return out;
}

function sameSnapshot(a: ReviewSnapshot | null, b: ReviewSnapshot): boolean {
  const prevApproved = a?.approvedBy ?? [];
  const prevChanges = a?.changesRequestedBy ?? [];
  return prevApproved.join(",") === b.approvedBy.join(",") && prevChanges.join(",") === b.changesRequestedBy.join(",") && (a === null || a.required === b.required);
}

export type CheckReviewsHandlerDeps = Pick<ServiceDeps, "changes" | "clock" | "grants" | "jobs" | "policy" | "tx" | "wake">;

export function checkReviewsHandler(deps: CheckReviewsHandlerDeps, slack: SlackExperience): KindHandler<"check_reviews"> {
  return {
    maxAttempts: 10,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant || grant.state !== "pr_open" || grant.prNumber === null) return;
      const [pr, reviews] = await Promise.all([deps.changes.get(grant.prNumber), deps.changes.listReviews(grant.prNumber)]);
      const { catalog, people } = await deps.policy.current();
      const resource = catalog.resources[grant.resource];
      if (!resource) return;
      const approving = reviews.filter((r: Review) => r.state === "APPROVED").map((r) => r.login);
      const result = evaluateApprovals({
        resource,
        resourceId: grant.resource,
        reviews,
        headSha: pr.headSha,
        people,
        teamMembers: await teamMembersAmong(deps, resource, approving),
        subject: grant.subject,
        requester: grant.requester,
      });
      const now = deps.clock.now();
      const snapshot: ReviewSnapshot = {
        approvedBy: result.approvers.map((a) => a.login),
        changesRequestedBy: result.ignored.filter((i) => i.why === "latest review is CHANGES_REQUESTED").map((i) => i.login),
        required: result.required,
        checkedAt: now,
      };
      const previous = await slack.cards.reviews(grant.id);
      if (sameSnapshot(previous, snapshot)) return;
      await deps.tx.transaction(async () => {
        const current = await deps.grants.get(grant.id);
        if (!current || current.state !== "pr_open") return;
        await slack.cards.saveReviews(grant.id, snapshot);
        await queueDebounced(deps, JOB.refreshCard, grant.id, { grantId: grant.id });
        await queueHomeRefreshes(deps, slack, [grant.subject, grant.requester]);
        const key = `${snapshot.approvedBy.join(",")}|${snapshot.changesRequestedBy.join(",")}`;
        await enqueue(deps.jobs, JOB.notify, { grantId: grant.id, note: "review", approvedBy: snapshot.approvedBy, changesRequestedBy: snapshot.changesRequestedBy, required: snapshot.required }, { dedupeKey: `${JOB.notify}:review:${grant.id}:${key}`, lockKey: lockKeys.grant(grant.id), maxAttempts: 20 });
      });
      deps.wake();
    },
  };
}
