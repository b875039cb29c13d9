/**
 * Job: a grant PR was merged. Verify before activating, reading every rule from where the
 * requester could not write:
 * - the PR was merged into GITHUB_BASE_BRANCH, and both its diff and the merge commit's own diff
 *   (against its first parent) are exactly its one added grant file;
 * - the policy (catalog.yaml, people.yaml) is read at the merge commit's FIRST PARENT — the base
 *   as it was before the merge, by SHA — never from the merged tree or a moving branch head, so a
 *   PR cannot change the rules it is judged by;
 * - the merged file is byte-identical to the committed one, the request still satisfies that
 *   policy, and enough attributable approvals were submitted on the PR's final head commit no
 *   later than the merge.
 * Then `approved` — with the policy commit and the memberships activation may touch recorded
 * before any SCIM change — and activation queued; or `rejected` with the rule that failed
 * (PR comment + DM + audit).
 */
import { evaluateMerge, type PolicyFailure } from "../../domain/policy.ts";
import { pendingRequestPr } from "./request-pr.ts";
import { changeState } from "./transitions.ts";
import { enqueue, lockKeys, dedupeKeys } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { formatDuration } from "../../domain/durations.ts";
import { rejectionComment } from "../../domain/pr-texts.ts";
import type { Grant } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import { queueNote, queuePrComment } from "../messages/outbox.ts";
import { groupsFor } from "../policy/people-groups.ts";
import { readMergedPrEvidence } from "./merged-pr-evidence.ts";
import type { PullRequestState } from "../ports/index.ts";

export type CheckMergeHandlerDeps = Pick<ServiceDeps, "audit" | "changes" | "clock" | "grants" | "homeUsers" | "jobs" | "people" | "policy" | "settings" | "tx" | "wake">;

export function checkMergeHandler(deps: CheckMergeHandlerDeps): KindHandler<"check_merge"> {
  return {
    maxAttempts: 30,
    async run(payload, { log }) {
      const pending = await pendingRequestPr(deps, payload.grantId);
      if (!pending) return;
      const { grant, pr } = pending;
      if (!pr.merged || !pr.mergeSha) {
        log.warn({ pr: pr.number }, "merge check on a PR that is not merged");
        return;
      }
      const read = await readMergedPrEvidence(deps, grant, { ...pr, mergeSha: pr.mergeSha });
      if (!read.ok) {
        await reject(deps, grant, pr, read);
        return;
      }
      const { policySha, policy, mergedContent, reviews, teamMembers } = read.evidence;
      const { catalog, people } = policy;
      const verdict = evaluateMerge({
        committedContent: grant.fileContent,
        mergedContent,
        catalog,
        resource: grant.resource,
        duration: formatDuration(grant.durationMs),
        reason: grant.reason,
        requester: { email: grant.requester, groups: await groupsFor(deps, people, grant.requester) },
        reviews,
        headSha: pr.headSha,
        mergedAt: pr.mergedAt,
        people,
        teamMembers,
        subject: grant.subject,
      });
      if (!verdict.ok) {
        await reject(deps, grant, pr, verdict);
        return;
      }
      const now = deps.clock.now();
      const target = verdict.resource.scim.target;
      // What activation may touch, recorded before the first SCIM change: every end of this
      // grant, whatever state it is in by then, queues removal of exactly these memberships.
      const access = { target, groups: [...verdict.resource.scim.groups] };
      await deps.tx.transaction(async () => {
        const approvedBy = verdict.approvers.map((a) => a.login);
        if (!await changeState(deps, grant.id, ["pr_open"], { state: "approved", approvedBy, approvedAt: now, mergeSha: pr.mergeSha, headSha: pr.headSha, policySha, access, updatedAt: now })) return;
        await deps.audit.append({
          at: now,
          actor: pr.mergedBy ? `github:${pr.mergedBy}` : "github",
          action: "grant.approved",
          grantId: grant.id,
          data: { pr: pr.number, approvers: verdict.approvers, mergeSha: pr.mergeSha, headSha: pr.headSha, policySha, baseRef: pr.baseRef },
        });
        await enqueue(deps.jobs, JOB.activate, { grantId: grant.id }, { dedupeKey: dedupeKeys.activate(grant.id), lockKey: lockKeys.scimUser(target, grant.subject), maxAttempts: null });
      });
      deps.wake();
    },
  };
}

type RejectDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "homeUsers" | "jobs" | "tx" | "wake">;

async function reject(deps: RejectDeps, grant: Grant, pr: PullRequestState, verdict: PolicyFailure): Promise<void> {
  const now = deps.clock.now();
  await deps.tx.transaction(async () => {
    if (!await changeState(deps, grant.id, ["pr_open"], { state: "rejected", mergeSha: pr.mergeSha, endedAt: now, endReason: verdict.message, updatedAt: now })) return;
    await deps.audit.append({ at: now, actor: "grantbot", action: "grant.rejected", grantId: grant.id, data: { pr: pr.number, code: verdict.code, message: verdict.message } });
    const updated = (await deps.grants.get(grant.id))!;
    await queuePrComment(deps, updated, "rejected", rejectionComment(verdict.message));
    await queueNote(deps, updated, "rejected", { message: verdict.message });
  });
  deps.wake();
}
