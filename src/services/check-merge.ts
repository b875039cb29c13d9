/**
 * Job: a grant PR was merged. Verify before activating: the merged file is byte-identical to
 * the committed one, the catalog policy still holds, and enough attributable approvals exist on
 * the PR's final head commit. Then `approved` + activation queued, or `rejected` with the rule
 * that failed (PR comment + DM + audit).
 */
import { evaluateMerge } from "../domain/policy.ts";
import { formatDuration } from "../domain/durations.ts";
import { rejectionComment } from "../domain/pr-texts.ts";
import type { ServiceDeps } from "./deps.ts";
import type { JobHandler } from "./job-runner.ts";
import { JOB } from "./job-kinds.ts";
import { queueNote, queuePrComment } from "./outbox.ts";
import { groupsFor } from "./directory-groups.ts";

export function checkMergeHandler(deps: ServiceDeps): JobHandler {
  return {
    maxAttempts: 30,
    async run(payload, { log }) {
      const grant = deps.grants.get(String(payload.grantId));
      if (!grant || grant.state !== "pr_open" || grant.prNumber === null) return;
      const pr = await deps.changes.get(grant.prNumber);
      if (!pr.merged || !pr.mergeSha) {
        log.warn({ pr: pr.number }, "merge check on a PR that is not merged");
        return;
      }
      const mergedContent = await deps.changes.readFile(grant.filePath, pr.mergeSha);
      const reviews = await deps.changes.listReviews(pr.number);
      const { catalog, people } = await deps.policy.current();
      const resource = catalog.resources[grant.resource];
      const teamMembers = new Map<string, Set<string>>();
      for (const team of resource?.approvers.teams ?? []) {
        const members = new Set<string>();
        for (const login of new Set(reviews.filter((r) => r.state === "APPROVED").map((r) => r.login.toLowerCase()))) {
          if (await deps.changes.isTeamMember(team, login)) members.add(login);
        }
        teamMembers.set(team, members);
      }
      const verdict = evaluateMerge({
        committedContent: grant.fileContent,
        mergedContent,
        catalog,
        resource: grant.resource,
        duration: formatDuration(grant.durationMs),
        reason: grant.reason,
        requester: { email: grant.requester, groups: groupsFor(deps, people, grant.requester) },
        reviews,
        headSha: pr.headSha,
        people,
        teamMembers,
        subject: grant.subject,
      });
      const now = deps.clock.now();
      deps.tx.transaction(() => {
        if (verdict.ok) {
          const approvedBy = verdict.approvers.map((a) => a.login);
          if (!deps.grants.update(grant.id, ["pr_open"], { state: "approved", approvedBy, approvedAt: now, mergeSha: pr.mergeSha, headSha: pr.headSha, updatedAt: now })) return;
          deps.audit.append({ at: now, actor: pr.mergedBy ? `github:${pr.mergedBy}` : "github", action: "grant.approved", grantId: grant.id, data: { pr: pr.number, approvers: verdict.approvers, mergeSha: pr.mergeSha, headSha: pr.headSha } });
          const target = resource?.scim.target ?? "unknown";
          deps.jobs.enqueue({
            kind: JOB.activate,
            payload: { grantId: grant.id },
            dedupeKey: `${JOB.activate}:${grant.id}`,
            lockKey: `scim:${target}:${grant.subject}`,
            maxAttempts: null,
          });
        } else {
          if (!deps.grants.update(grant.id, ["pr_open"], { state: "rejected", mergeSha: pr.mergeSha, endedAt: now, endReason: verdict.message, updatedAt: now })) return;
          deps.audit.append({ at: now, actor: "grantbot", action: "grant.rejected", grantId: grant.id, data: { pr: pr.number, code: verdict.code, message: verdict.message } });
          const updated = deps.grants.get(grant.id)!;
          queuePrComment(deps, updated, "rejected", rejectionComment(verdict.message));
          queueNote(deps, updated, "rejected", { message: verdict.message });
        }
      });
      deps.wake();
    },
  };
}
