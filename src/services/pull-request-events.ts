/**
 * What grantbot does when one of its PRs closes, whether it learnt it from a webhook or by
 * polling: merged -> queue the approval check; closed unmerged -> declined. De-duplicated by the
 * grant's state and the job dedupe key, so a webhook delivered twice and a poll that sees the
 * same PR change nothing the second time.
 */
import type { ServiceDeps } from "./deps.ts";
import { JOB } from "./job-kinds.ts";
import { queueNote } from "./outbox.ts";

export interface ClosedPullRequest {
  number: number;
  merged: boolean;
  /** Who closed/merged it (GitHub login), for the audit log. */
  by?: string | null;
  source: "webhook" | "poll";
}

/** Returns what happened, for logs and tests. */
export function onPullRequestClosed(deps: ServiceDeps, pr: ClosedPullRequest): "ignored" | "checking" | "declined" {
  const grant = deps.grants.getByPrNumber(pr.number);
  if (!grant || grant.state !== "pr_open") return "ignored";
  const now = deps.clock.now();
  if (pr.merged) {
    const id = deps.jobs.enqueue({
      kind: JOB.checkMerge,
      payload: { grantId: grant.id },
      dedupeKey: `${JOB.checkMerge}:${grant.id}`,
      lockKey: `grant:${grant.id}`,
      maxAttempts: 30,
    });
    if (id !== null) {
      deps.audit.append({ at: now, actor: pr.by ? `github:${pr.by}` : "github", action: "grant.pr_merged", grantId: grant.id, data: { pr: pr.number, source: pr.source } });
    }
    deps.wake();
    return "checking";
  }
  let declined = false;
  deps.tx.transaction(() => {
    declined = deps.grants.update(grant.id, ["pr_open"], { state: "declined", endedAt: now, endReason: "pull request closed without merge", updatedAt: now });
    if (!declined) return;
    deps.audit.append({ at: now, actor: pr.by ? `github:${pr.by}` : "github", action: "grant.declined", grantId: grant.id, data: { pr: pr.number, source: pr.source } });
    queueNote(deps, deps.grants.get(grant.id)!, "declined");
  });
  deps.wake();
  return declined ? "declined" : "ignored";
}

/**
 * Polling (no webhook secret, and as a backstop when webhooks are lost): looks at recently
 * closed PRs, plus every PR grantbot still believes open when the listing did not cover it.
 */
export async function pollPullRequests(deps: ServiceDeps): Promise<number> {
  let handled = 0;
  const listed = await deps.changes.listRecentlyClosed();
  if (listed !== "not_modified") {
    for (const pr of listed) {
      if (onPullRequestClosed(deps, { number: pr.number, merged: pr.merged, by: pr.mergedBy, source: "poll" }) !== "ignored") handled++;
    }
  }
  return handled;
}

/** Backstop for PRs the listing may have missed (more than a page closed between polls). */
export async function recheckOpenPullRequests(deps: ServiceDeps, limit = 50): Promise<number> {
  let handled = 0;
  for (const grant of deps.grants.listByState(["pr_open"], limit)) {
    if (grant.prNumber === null) continue;
    const pr = await deps.changes.get(grant.prNumber);
    if (pr.state !== "closed") continue;
    if (onPullRequestClosed(deps, { number: pr.number, merged: pr.merged, by: pr.mergedBy, source: "poll" }) !== "ignored") handled++;
  }
  return handled;
}
