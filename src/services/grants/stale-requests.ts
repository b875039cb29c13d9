/**
 * Long-request hygiene: a request PR still open `staleRequestAgeMs` after it was filed is closed
 * with a comment, the request cancelled and the requester told by DM (all durable, in one
 * transaction per request). Run by the scheduler.
 */
import { formatDuration } from "../../domain/durations.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { ServiceDeps } from "../deps.ts";
import { cancelRequest } from "./cancel-request.ts";
import { JOB } from "../jobs/kinds.ts";

export const DEFAULT_STALE_REQUEST_AGE_MS = 7 * 86_400_000;

export type CloseStaleRequestsDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "homeUsers" | "jobs" | "settings" | "tx" | "wake">;

/** Returns the ids of the requests it cancelled. */
export async function closeStaleRequests(deps: CloseStaleRequestsDeps, ageMs = deps.settings.staleRequestAgeMs ?? DEFAULT_STALE_REQUEST_AGE_MS): Promise<string[]> {
  const now = deps.clock.now();
  const age = formatDuration(Math.max(1000, Math.round(ageMs / 1000) * 1000));
  const closed: string[] = [];
  for (const grant of await deps.grants.listByState(["pr_open"], 10_000)) {
    if (grant.requestedAt > now - ageMs) continue;
    await deps.tx.transaction(async () => {
      const done = await cancelRequest(deps, grant, {
        actor: "grantbot",
        action: "grant.stale_closed",
        reason: `cancelled: not reviewed within ${age}`,
        comment: `⌛ **Closed by grantbot:** this request was not reviewed within ${age}, so it was cancelled. Nothing was granted. Ask again with \`/access ${grant.resource}\` if it is still needed.`,
      });
      if (!done) return;
      await enqueue(deps.jobs, JOB.staleNotice, { grantId: grant.id, ageMs }, { dedupeKey: `${JOB.staleNotice}:${grant.id}`, lockKey: lockKeys.grant(grant.id), maxAttempts: 20 });
      closed.push(grant.id);
    });
  }
  if (closed.length > 0) deps.wake();
  return closed;
}

export type StaleNoticeHandlerDeps = Pick<ServiceDeps, "grants" | "notifier">;

export function staleNoticeHandler(deps: StaleNoticeHandlerDeps): KindHandler<"stale_request_notice"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant) return;
      await deps.notifier.send({ email: grant.requester, slackId: grant.requesterSlackId }, { kind: "request_stale", grant, ageMs: payload.ageMs });
    },
  };
}
