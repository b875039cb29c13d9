/**
 * Job `review_pr_check`: one of grantbot's review PRs closed. Unmerged -> the review is closed
 * (its members stay due). Merged -> checked like a grant PR, reading every rule from where the PR
 * could not write:
 * - merged into GITHUB_BASE_BRANCH; the PR's diff and the merge commit's own diff (against its
 *   first parent) change exactly grants/catalog.yaml;
 * - the policy is read at the merge commit's FIRST PARENT (the base before the merge, by SHA), the
 *   merged catalog at the merge commit, and the two compared structurally (domain/review-diff.ts):
 *   only review dates of listed members moved forward (at most one period) and standing members of
 *   that one resource deleted;
 * - enough approvals from the resource's approvers (pre-merge policy), none from a listed member.
 * Certified -> audited with the approvers, deleted members removed from the target through
 * verified jobs (and told), the policy re-read. Rejected -> the reason on the PR, ops told, the
 * listed members held to their previous dates (standing.ts).
 */
import { isAppError } from "../../domain/errors.ts";
import { catalogSchema, type Catalog } from "../../domain/grant-files.ts";
import { evaluateReviewApprovals } from "../../domain/review-approvals.ts";
import { checkReviewChange, checkReviewFiles, checkSinceOpened, CATALOG_PATH } from "../../domain/review-diff.ts";
import { certifiedComment, reviewRejectedComment } from "../../domain/review-pr-body.ts";
import { parse } from "yaml";
import type { ServiceDeps } from "../deps.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { queueOpsNotice } from "../messages/ops-notice.ts";
import type { AccessReview, PullRequestState } from "../ports/index.ts";
import { queueStandingRemoval } from "./check-reviews.ts";

export type ReviewPrCheckHandlerDeps = Pick<ServiceDeps, "audit" | "changes" | "clock" | "jobs" | "policy" | "reviews" | "settings" | "tx" | "wake">;

function parseCatalog(text: string | null): Catalog | string {
  if (text === null) return "the merge commit has no grants/catalog.yaml";
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 50, uniqueKeys: true });
  } catch (err) {
    return `the merged grants/catalog.yaml is not valid YAML: ${(err as Error).message}`;
  }
  const result = catalogSchema.safeParse(value);
  return result.success ? result.data : `the merged grants/catalog.yaml is invalid: ${result.error.issues[0]?.message ?? "unknown"}`;
}

async function comment(deps: Pick<ServiceDeps, "jobs">, review: AccessReview, tag: string, body: string): Promise<void> {
  if (review.prNumber !== null) await enqueue(deps.jobs, JOB.prComment, { prNumber: review.prNumber, body }, { dedupeKey: `${JOB.prComment}:review-${tag}:${review.id}`, maxAttempts: 20 });
}

async function reject(deps: ReviewPrCheckHandlerDeps, review: AccessReview, pr: PullRequestState, reason: string, policySha: string | null): Promise<void> {
  const now = deps.clock.now();
  await deps.tx.transaction(async () => {
    if (!await deps.reviews.update(review.id, ["open"], { state: "rejected", closedAt: now, outcome: { kept: [], removed: [], approvers: [], reason, mergeSha: pr.mergeSha, policySha } })) return;
    await deps.audit.append({ at: now, actor: "grantbot", action: "review.rejected", data: { resource: review.resource, reason, pr: pr.number, reviewId: review.id, mergeSha: pr.mergeSha, policySha } });
    await comment(deps, review, "rejected", reviewRejectedComment(reason));
    await queueOpsNotice(deps, `review-rejected:${review.id}`, `Access review of ${review.resource} rejected`, `${pr.url} was merged but not accepted: ${reason}. Its members stay due at their previous dates; revert the merge or open a new review.`);
  });
  deps.wake();
}

async function teamMembersOf(deps: Pick<ServiceDeps, "changes">, teams: readonly string[], logins: Iterable<string>): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const unique = [...new Set([...logins].map((l) => l.toLowerCase()))];
  for (const team of teams) {
    const members = new Set<string>();
    for (const login of unique) if (await deps.changes.isTeamMember(team, login)) members.add(login);
    out.set(team, members);
  }
  return out;
}

export function reviewPrCheckHandler(deps: ReviewPrCheckHandlerDeps): KindHandler<"review_pr_check"> {
  return {
    maxAttempts: 30,
    async run(payload) {
      const review = await deps.reviews.get(payload.reviewId);
      if (!review || review.state !== "open" || review.prNumber === null) return;
      const pr = await deps.changes.get(review.prNumber);
      if (pr.state !== "closed") return;
      const now = deps.clock.now();
      if (!pr.merged || !pr.mergeSha) {
        await deps.tx.transaction(async () => {
          if (!await deps.reviews.update(review.id, ["open"], { state: "closed", closedAt: now, outcome: { kept: [], removed: [], approvers: [], reason: "closed without merge" } })) return;
          await deps.audit.append({ at: now, actor: "github", action: "review.closed", data: { resource: review.resource, pr: pr.number, reviewId: review.id, reason: "closed without merge" } });
        });
        return;
      }
      if (review.kind === "removal") {
        await deps.tx.transaction(async () => {
          if (!await deps.reviews.update(review.id, ["open"], { state: "merged", closedAt: now })) return;
          await deps.audit.append({ at: now, actor: pr.mergedBy ? `github:${pr.mergedBy}` : "github", action: "review.removal_merged", data: { resource: review.resource, members: review.members.map((m) => m.email), pr: pr.number } });
        });
        return;
      }
      if (pr.baseRef !== deps.settings.baseBranch) return reject(deps, review, pr, `the pull request was merged into "${pr.baseRef}", not the base branch "${deps.settings.baseBranch}"`, null);
      const [prFiles, parents] = await Promise.all([deps.changes.listFiles(pr.number), deps.changes.commitParents(pr.mergeSha)]);
      const policySha = parents[0] ?? null;
      if (policySha === null) return reject(deps, review, pr, "the merge commit has no parent, so the policy before the merge cannot be read", null);
      const scope = checkReviewFiles(prFiles, await deps.changes.changedFiles(policySha, pr.mergeSha));
      if (scope) return reject(deps, review, pr, scope, policySha);
      let before;
      try {
        before = await deps.policy.at(policySha);
      } catch (err) {
        if (!isAppError(err) || err.code !== "bad_input") throw err;
        return reject(deps, review, pr, `the policy at the base commit ${policySha.slice(0, 12)} cannot be used: ${err.message}`, policySha);
      }
      const after = parseCatalog(await deps.changes.readFile(CATALOG_PATH, pr.mergeSha));
      if (typeof after === "string") return reject(deps, review, pr, after, policySha);
      const listed = review.members.map((m) => ({ email: m.email, effective: m.effective }));
      const change = checkReviewChange({ before: before.catalog, after, resource: review.resource, listed, now: pr.mergedAt ?? now });
      if (!change.ok) return reject(deps, review, pr, change.reason, policySha);
      if (review.baseSha !== null && review.baseSha !== policySha) {
        // Also from where the branch started (catches what a rebase merge's earlier commits did).
        const atOpen = await deps.policy.at(review.baseSha).catch((err: unknown) => (isAppError(err) && err.code === "bad_input" ? null : Promise.reject(err)));
        const since = atOpen ? checkSinceOpened({ atOpen: atOpen.catalog, after, resource: review.resource, listed, now: pr.mergedAt ?? now }) : { ok: false as const, reason: "the catalog the review started from cannot be read" };
        if (!since.ok) return reject(deps, review, pr, since.reason, policySha);
      }
      const resource = before.catalog.resources[review.resource]!;
      const reviews = await deps.changes.listReviews(pr.number);
      const approving = reviews.filter((r) => r.state === "APPROVED").map((r) => r.login);
      const approvals = evaluateReviewApprovals({
        resourceId: review.resource,
        resource,
        reviews,
        headSha: pr.headSha,
        people: before.people,
        teamMembers: await teamMembersOf(deps, resource.approvers.teams, approving),
        listed: listed.map((m) => m.email),
        mergedAt: pr.mergedAt,
      });
      if (!approvals.ok) return reject(deps, review, pr, `the review ${approvals.message}`, policySha);

      const approvers = approvals.approvers.map((a) => a.login);
      const kept = change.kept.map((k) => k.email);
      await deps.tx.transaction(async () => {
        if (!await deps.reviews.update(review.id, ["open"], { state: "certified", closedAt: now, outcome: { kept, removed: change.removed, approvers, mergeSha: pr.mergeSha, policySha } })) return;
        await deps.audit.append({
          at: now,
          actor: pr.mergedBy ? `github:${pr.mergedBy}` : "github",
          action: "review.certified",
          data: { resource: review.resource, kept, removed: change.removed, approvers, pr: pr.number, reviewId: review.id, moved: change.kept.filter((k) => k.from !== k.to), mergeSha: pr.mergeSha, policySha },
        });
        for (const email of change.removed) await queueStandingRemoval(deps, review.resource, resource, email, "review", review.id, review.id);
        await comment(deps, review, "certified", certifiedComment(change.kept.map((k) => ({ email: k.email, to: k.to, moved: k.from !== k.to })), change.removed, approvers));
      });
      deps.wake();
      // The merged catalog becomes the current policy now rather than at the next refresh.
      await deps.policy.current({ maxAgeMs: 0 }).catch(() => undefined);
    },
  };
}
