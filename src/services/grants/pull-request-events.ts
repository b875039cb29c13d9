/**
 * What grantbot does when one of its PRs closes, whether it learnt it from a webhook or by
 * polling: merged -> queue the approval check (which reads the PR from the API); closed unmerged
 * -> declined, but only on the API's word: a webhook's "closed, not merged" is first confirmed by
 * reading the PR (a job), since a signed payload may be stale or crafted by anyone holding the
 * webhook secret. De-duplicated by the grant's state and the job dedupe key, so a webhook
 * delivered twice and a poll that sees the same PR change nothing the second time.
 */
import type { ServiceDeps } from "../deps.ts";
import { pendingRequestPr } from "./request-pr.ts";
import { changeState } from "./transitions.ts";
import { enqueue, lockKeys, dedupeKeys } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { JOB } from "../jobs/kinds.ts";
import { queueNote } from "../messages/outbox.ts";
import { isEmergencyGrant } from "../../domain/breakglass.ts";
import { onBreakglassPrClosed } from "../breakglass/pr-outcome.ts";

export interface ClosedPullRequest {
  number: number;
  merged: boolean;
  /** Who closed/merged it (GitHub login), for the audit log. */
  by?: string | null;
  /**
   * The merge commit the source reports. The merge check is de-duplicated per merge commit, so a
   * "merged" claim about a PR that is in fact still open (a stale or crafted payload: the check
   * reads the PR and finds it unmerged) cannot use up the check of the real merge later.
   */
  mergeSha?: string | null;
  /**
   * Where `merged` comes from: a webhook payload (believed for a merge, which the merge check reads
   * again; confirmed by a `confirm_close` job for a decline), a poll of the API, or the API read of
   * that job (`api`).
   */
  source: "webhook" | "poll" | "api";
}

export type ClosedOutcome = "ignored" | "checking" | "confirming" | "declined";

export type OnPullRequestClosedDeps = Pick<ServiceDeps, "audit" | "breakglass" | "clock" | "grants" | "homeUsers" | "jobs" | "tx" | "wake">;

/** Returns what happened, for logs and tests. */
export async function onPullRequestClosed(deps: OnPullRequestClosedDeps, pr: ClosedPullRequest): Promise<ClosedOutcome> {
  const grant = await deps.grants.getByPrNumber(pr.number);
  // A break-glass grant's PR is its after-the-fact review (services/breakglass/pr-outcome.ts).
  if (grant && isEmergencyGrant(grant)) return onBreakglassPrClosed(deps, grant, pr);
  if (!grant || grant.state !== "pr_open") return "ignored";
  const now = deps.clock.now();
  if (!pr.merged && pr.source === "webhook") {
    // No dedupe key: deliveries are de-duplicated by id (routes.ts) and the decline by the grant's
    // state; a key would let an early, stale "closed" hide the real one after a reopen.
    await enqueue(deps.jobs, JOB.confirmClose, { grantId: grant.id }, { lockKey: lockKeys.grant(grant.id), maxAttempts: 30 });
    deps.wake();
    return "confirming";
  }
  if (pr.merged) {
    const id = await enqueue(deps.jobs, JOB.checkMerge, { grantId: grant.id }, { dedupeKey: dedupeKeys.checkMerge(grant.id, pr.mergeSha), lockKey: lockKeys.grant(grant.id), maxAttempts: 30 });
    if (id !== null) {
      await deps.audit.append({ at: now, actor: pr.by ? `github:${pr.by}` : "github", action: "grant.pr_merged", grantId: grant.id, data: { pr: pr.number, source: pr.source } });
    }
    deps.wake();
    return "checking";
  }
  let declined = false;
  await deps.tx.transaction(async () => {
    declined = await changeState(deps, grant.id, ["pr_open"], { state: "declined", endedAt: now, endReason: "pull request closed without merge", updatedAt: now });
    if (!declined) return;
    await deps.audit.append({ at: now, actor: pr.by ? `github:${pr.by}` : "github", action: "grant.declined", grantId: grant.id, data: { pr: pr.number, source: pr.source } });
    await queueNote(deps, (await deps.grants.get(grant.id))!, "declined");
  });
  deps.wake();
  return declined ? "declined" : "ignored";
}

export type ConfirmCloseHandlerDeps = Pick<ServiceDeps, "audit" | "breakglass" | "changes" | "clock" | "grants" | "homeUsers" | "jobs" | "tx" | "wake">;

/**
 * Job `confirm_close`: a webhook said one of grantbot's PRs closed without merge. Reads the PR and
 * acts on what GitHub says: closed and not merged -> declined; merged -> the merge path (the
 * approval check); still open -> nothing (the payload was stale or crafted).
 */
export function confirmCloseHandler(deps: ConfirmCloseHandlerDeps): KindHandler<"confirm_close"> {
  return {
    maxAttempts: 30,
    async run(payload, { log }) {
      const pending = await pendingRequestPr(deps, payload.grantId);
      if (!pending) return;
      const { grant, pr } = pending;
      if (pr.state !== "closed") {
        log.warn({ pr: pr.number, grantId: grant.id }, "closed webhook not confirmed: the pull request is open");
        return;
      }
      await onPullRequestClosed(deps, { number: pr.number, merged: pr.merged, by: pr.mergedBy, mergeSha: pr.mergeSha, source: "api" });
    },
  };
}

export type PollPullRequestsDeps = Pick<ServiceDeps, "audit" | "breakglass" | "changes" | "clock" | "grants" | "homeUsers" | "jobs" | "tx" | "wake">;

/**
 * Polling (no webhook secret, and as a backstop when webhooks are lost): looks at recently
 * closed PRs, plus every PR grantbot still believes open when the listing did not cover it.
 */
export async function pollPullRequests(deps: PollPullRequestsDeps): Promise<number> {
  let handled = 0;
  const listed = await deps.changes.listRecentlyClosed();
  if (listed !== "not_modified") {
    for (const pr of listed) {
      if (await onPullRequestClosed(deps, { number: pr.number, merged: pr.merged, by: pr.mergedBy, mergeSha: pr.mergeSha, source: "poll" }) !== "ignored") handled++;
    }
  }
  return handled;
}

export type RecheckOpenPullRequestsDeps = Pick<ServiceDeps, "audit" | "breakglass" | "changes" | "clock" | "grants" | "homeUsers" | "jobs" | "tx" | "wake">;

/** Backstop for PRs the listing may have missed (more than a page closed between polls). */
export async function recheckOpenPullRequests(deps: RecheckOpenPullRequestsDeps, limit = 50): Promise<number> {
  let handled = 0;
  for (const grant of await deps.grants.listByState(["pr_open"], limit)) {
    if (grant.prNumber === null) continue;
    const pr = await deps.changes.get(grant.prNumber);
    if (pr.state !== "closed") continue;
    if (await onPullRequestClosed(deps, { number: pr.number, merged: pr.merged, by: pr.mergedBy, mergeSha: pr.mergeSha, source: "poll" }) !== "ignored") handled++;
  }
  // Break-glass review PRs whose outcome is not known yet.
  for (const record of await deps.breakglass.pending(limit)) {
    const prNumber = (await deps.grants.get(record.grantId))?.prNumber ?? null;
    if (prNumber === null) continue;
    const pr = await deps.changes.get(prNumber);
    if (pr.state !== "closed") continue;
    if (await onPullRequestClosed(deps, { number: pr.number, merged: pr.merged, by: pr.mergedBy, mergeSha: pr.mergeSha, source: "poll" }) !== "ignored") handled++;
  }
  return handled;
}
