/**
 * Everything a merged grantbot PR is judged by, read from the GitHub API (never from a webhook
 * payload): its scope — exactly its one added grant file, merged into GITHUB_BASE_BRANCH, in the
 * PR's diff and in the merge commit's own diff against its first parent — then the policy at that
 * FIRST PARENT (the base as it was before the merge, by SHA), the merged file's text, the reviews
 * and the team memberships of the approving logins. Shared by the merge check of a grant PR
 * (check-merge.ts) and the after-the-fact review of a break-glass PR (services/breakglass).
 */
import { isAppError } from "../../domain/errors.ts";
import type { Grant } from "../../domain/grant.ts";
import { checkMergeScope } from "../../domain/merge-scope.ts";
import type { PolicyFailure } from "../../domain/policy.ts";
import type { ServiceDeps } from "../deps.ts";
import type { Policy } from "../policy/policy-provider.ts";
import type { PullRequestState, Review } from "../ports/index.ts";

export interface MergedPrEvidence {
  /** The merge commit's first parent: where the policy was read. */
  policySha: string;
  policy: Policy;
  /** The grant file's text in the merge commit (null when absent). */
  mergedContent: string | null;
  reviews: Review[];
  /** Team -> the approving logins that are members of it. */
  teamMembers: Map<string, Set<string>>;
}

export type MergedPrEvidenceDeps = Pick<ServiceDeps, "changes" | "policy" | "settings">;

/**
 * The evidence, or the scope/policy failure that settles the matter before any review is read.
 * `pr` must be merged (mergeSha set). Throws what the GitHub calls throw (retryable outages).
 */
export async function readMergedPrEvidence(deps: MergedPrEvidenceDeps, grant: Grant, pr: PullRequestState & { mergeSha: string }): Promise<{ ok: true; evidence: MergedPrEvidence } | PolicyFailure> {
  const [prFiles, parents] = await Promise.all([deps.changes.listFiles(pr.number), deps.changes.commitParents(pr.mergeSha)]);
  const policySha = parents[0];
  if (policySha === undefined) {
    return { ok: false, code: "pr_out_of_scope", message: "the merge commit has no parent, so the policy before the merge cannot be read" };
  }
  const mergeFiles = await deps.changes.changedFiles(policySha, pr.mergeSha);
  const scope = checkMergeScope({ baseRef: pr.baseRef, baseBranch: deps.settings.baseBranch, grantPath: grant.filePath, prFiles, mergeFiles });
  if (scope) return scope;

  let policy: Policy;
  try {
    policy = await deps.policy.at(policySha);
  } catch (err) {
    if (!isAppError(err) || err.code !== "bad_input") throw err;
    return { ok: false, code: "policy_denied", message: `the policy at the base commit ${policySha.slice(0, 12)} cannot be used: ${err.message}` };
  }
  const mergedContent = await deps.changes.readFile(grant.filePath, pr.mergeSha);
  const reviews = await deps.changes.listReviews(pr.number);
  const { catalog } = policy;
  const resource = Object.hasOwn(catalog.resources, grant.resource) ? catalog.resources[grant.resource] : undefined;
  const approving = new Set(reviews.filter((r) => r.state === "APPROVED").map((r) => r.login.toLowerCase()));
  const teamMembers = new Map<string, Set<string>>();
  for (const team of resource?.approvers.teams ?? []) {
    const members = new Set<string>();
    for (const login of approving) if (await deps.changes.isTeamMember(team, login)) members.add(login);
    teamMembers.set(team, members);
  }
  return { ok: true, evidence: { policySha, policy, mergedContent, reviews, teamMembers } };
}
