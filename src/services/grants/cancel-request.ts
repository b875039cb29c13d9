/**
 * Cancels a request still waiting for review (leaver, stale PR): state `cancelled`, its PR closed
 * with a comment through a durable `close_pr` job, an audit row. Call inside a transaction.
 * A request whose PR is not open yet is closed by the open_pr job when it notices the cancel.
 */
import type { Grant } from "../../domain/grant.ts";
import { changeState } from "./transitions.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";

export type CancelRequestDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "homeUsers" | "jobs" | "tx" | "wake">;

export async function cancelRequest(deps: CancelRequestDeps, grant: Grant, input: { actor: string; action: string; reason: string; comment: string }): Promise<boolean> {
  const now = deps.clock.now();
  const cancelled = await changeState(deps, grant.id, ["requested", "pr_open"], { state: "cancelled", endedAt: now, endReason: input.reason, updatedAt: now });
  if (!cancelled) return false;
  if (grant.prNumber !== null) await queueClosePr(deps, grant.id, grant.prNumber, input.comment);
  await deps.audit.append({ at: now, actor: input.actor, action: input.action, grantId: grant.id, data: { pr: grant.prNumber, reason: input.reason } });
  return true;
}

export type QueueClosePrDeps = Pick<ServiceDeps, "jobs">;

/** Closes a grant's PR with a comment (idempotent per grant). */
export async function queueClosePr(deps: QueueClosePrDeps, grantId: string, prNumber: number, comment: string): Promise<void> {
  await enqueue(deps.jobs, JOB.closePr, { grantId, prNumber, comment }, { dedupeKey: `${JOB.closePr}:${grantId}`, lockKey: lockKeys.grant(grantId), maxAttempts: 20 });
}
