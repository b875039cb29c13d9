/**
 * The outcome of a break-glass grant's review PR. A webhook or a poll only queues a check; the
 * job `breakglass_pr_check` reads the PR from the API (never trusting a payload) and:
 * - merged: judges it with the approval rules of any grant PR (merged-pr-evidence.ts: one-file
 *   scope, policy at the merge commit's first parent, head-commit approvals submitted no later
 *   than the merge, neither the requester nor the subject) -> `reviewed` (`breakglass.reviewed`),
 *   or `unreviewed_merge` (said on the PR; the review stays owed);
 * - closed unmerged: revokes the grant at once if it is still live (verified removals queued by
 *   endGrant), tells ops, `breakglass.rejected_pr`; the review stays owed (reopen and merge);
 * - still open: nothing (a stale or crafted payload).
 */
import { evaluateBreakglassReview } from "../../domain/breakglass-review.ts";
import { breakglassRejectedComment, breakglassReviewedComment, breakglassUnreviewedComment } from "../../domain/breakglass-texts.ts";
import type { Grant } from "../../domain/grant.ts";
import type { PolicyFailure } from "../../domain/policy.ts";
import type { ServiceDeps } from "../deps.ts";
import { endGrant } from "../grants/end-grant.ts";
import { readMergedPrEvidence } from "../grants/merged-pr-evidence.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { queuePrComment } from "../messages/outbox.ts";
import type { BreakglassRecord, PullRequestState } from "../ports/index.ts";
import { queueBreakglassNotices } from "./announce.ts";

export type OnBreakglassPrClosedDeps = Pick<ServiceDeps, "breakglass" | "jobs" | "wake">;

/** A break-glass grant's PR closed (webhook or poll): queue the check, unless its outcome is settled. */
export async function onBreakglassPrClosed(deps: OnBreakglassPrClosedDeps, grant: Grant, pr: { merged: boolean; mergeSha?: string | null }): Promise<"ignored" | "checking"> {
  const record = await deps.breakglass.get(grant.id);
  if (!record || record.status === "reviewed" || record.status === "unreviewed_merge") return "ignored";
  if (!pr.merged && record.status === "rejected") return "ignored";
  // A merge is checked once per merge commit; a close has no key (a stale "closed" must not hide
  // a later real one) and is de-duplicated by the record's status instead.
  const dedupe = pr.merged ? { dedupeKey: `${JOB.breakglassPrCheck}:${grant.id}:${pr.mergeSha ?? "unknown"}` } : {};
  await enqueue(deps.jobs, JOB.breakglassPrCheck, { grantId: grant.id }, { ...dedupe, lockKey: lockKeys.grant(grant.id), maxAttempts: 30 });
  deps.wake();
  return "checking";
}

export type BreakglassPrCheckHandlerDeps = Pick<ServiceDeps, "audit" | "breakglass" | "changes" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "people" | "policy" | "settings" | "tx" | "wake">;

export function breakglassPrCheckHandler(deps: BreakglassPrCheckHandlerDeps): KindHandler<"breakglass_pr_check"> {
  return {
    maxAttempts: 30,
    async run(payload, { log }) {
      const grant = await deps.grants.get(payload.grantId);
      const record = await deps.breakglass.get(payload.grantId);
      if (!grant || !record || grant.prNumber === null || record.status === "reviewed" || record.status === "unreviewed_merge") return;
      const pr = await deps.changes.get(grant.prNumber);
      if (pr.state !== "closed") {
        log.warn({ pr: pr.number, grantId: grant.id }, "break-glass PR reported closed but it is open");
        return;
      }
      if (!pr.merged || !pr.mergeSha) {
        await rejectedPr(deps, grant, pr);
        return;
      }
      const read = await readMergedPrEvidence(deps, grant, { ...pr, mergeSha: pr.mergeSha });
      const verdict = read.ok
        ? evaluateBreakglassReview({
            committedContent: grant.fileContent,
            mergedContent: read.evidence.mergedContent,
            catalog: read.evidence.policy.catalog,
            people: read.evidence.policy.people,
            resource: grant.resource,
            reviews: read.evidence.reviews,
            headSha: pr.headSha,
            mergedAt: pr.mergedAt,
            teamMembers: read.evidence.teamMembers,
            subject: grant.subject,
            requester: grant.requester,
          })
        : read;
      const policySha = read.ok ? read.evidence.policySha : null;
      if (verdict.ok) await reviewed(deps, grant, record, pr, verdict.approvers, policySha);
      else await unreviewedMerge(deps, grant, record, pr, verdict);
    },
  };
}

type OutcomeDeps = Pick<ServiceDeps, "audit" | "breakglass" | "clock" | "jobs" | "people" | "tx" | "wake">;

async function reviewed(deps: OutcomeDeps, grant: Grant, record: BreakglassRecord, pr: PullRequestState, approvers: { login: string; email: string }[], policySha: string | null): Promise<void> {
  const now = deps.clock.now();
  const mergedAt = pr.mergedAt ?? now;
  // GitHub gives whole seconds: a merge in the deadline's own second counts as late.
  const withinDeadline = record.reviewDeadline === null || mergedAt < Math.floor(record.reviewDeadline / 1000) * 1000;
  await deps.tx.transaction(async () => {
    if (!await deps.breakglass.setStatus(grant.id, ["pending", "rejected"], { status: "reviewed", reviewedAt: now, approvers: approvers.map((a) => a.login) })) return;
    await deps.audit.append({
      at: now,
      actor: pr.mergedBy ? `github:${pr.mergedBy}` : "github",
      action: "breakglass.reviewed",
      grantId: grant.id,
      data: { approvers, withinDeadline, pr: pr.number, mergeSha: pr.mergeSha, headSha: pr.headSha, policySha, mergedAt: new Date(mergedAt).toISOString() },
    });
    await queuePrComment(deps, grant, "breakglass-reviewed", breakglassReviewedComment({ approvers: approvers.map((a) => a.login), withinDeadline }));
    // Those who were told it was overdue hear that it is settled.
    if (record.escalations > 0) await queueBreakglassNotices(deps, grant, record, "reviewed");
  });
  deps.wake();
}

async function unreviewedMerge(deps: OutcomeDeps, grant: Grant, record: BreakglassRecord, pr: PullRequestState, verdict: PolicyFailure): Promise<void> {
  const now = deps.clock.now();
  await deps.tx.transaction(async () => {
    if (!await deps.breakglass.setStatus(grant.id, ["pending", "rejected"], { status: "unreviewed_merge", reviewedAt: now })) return;
    await deps.audit.append({ at: now, actor: pr.mergedBy ? `github:${pr.mergedBy}` : "github", action: "breakglass.unreviewed_merge", grantId: grant.id, data: { pr: pr.number, code: verdict.code, message: verdict.message, mergeSha: pr.mergeSha } });
    await queuePrComment(deps, grant, "breakglass-unreviewed", breakglassUnreviewedComment(verdict.message));
    await queueBreakglassNotices(deps, grant, record, "unreviewed_merge");
  });
  deps.wake();
}

type RejectedPrDeps = Pick<ServiceDeps, "audit" | "breakglass" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "people" | "tx" | "wake">;

/** Closed unmerged: revoke now if live (endGrant queues the verified removals), tell ops, once. */
async function rejectedPr(deps: RejectedPrDeps, grant: Grant, pr: PullRequestState): Promise<void> {
  const now = deps.clock.now();
  await deps.tx.transaction(async () => {
    if (!await deps.breakglass.setStatus(grant.id, ["pending"], { status: "rejected", reviewedAt: now })) return;
    const revoked = await endGrant(deps, grant.id, "revoked", "grantbot", "break-glass PR closed without merge");
    await deps.audit.append({ at: now, actor: "github", action: "breakglass.rejected_pr", grantId: grant.id, data: { pr: pr.number, revoked, closedAt: pr.closedAt === null ? null : new Date(pr.closedAt).toISOString() } });
    const after = (await deps.grants.get(grant.id))!;
    await queuePrComment(deps, after, "breakglass-rejected", breakglassRejectedComment({ revoked }));
    await queueBreakglassNotices(deps, after, (await deps.breakglass.get(grant.id))!, "rejected_pr");
  });
  deps.wake();
}
