/**
 * The one way services create a grant or change its state. Each change is a compare-and-set on the
 * grant's state, and in the same transaction queues what every change must refresh — the Slack
 * request card and the Home tabs of its subject and requester — so no transition (a leaver's
 * request closed, a new end reason) can forget to, and a crash can lose neither. Updates that do
 * not change the state (recording where a DM was posted, the SCIM user id) use `grants.update`.
 */
import type { Grant, GrantState } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import type { GrantEnd } from "../ports/index.ts";
import { grantRefreshJobs, queueGrantRefreshes } from "../surfaces/slack-refresh.ts";

export type TransitionDeps = Pick<ServiceDeps, "tx" | "grants" | "jobs" | "clock" | "homeUsers" | "wake">;

/**
 * Applies `patch` (which sets `state`) only while the grant is in one of `from`; returns whether
 * it did. Safe to repeat: the second call finds the grant in the new state and changes nothing.
 */
export async function changeState(deps: TransitionDeps, id: string, from: readonly GrantState[], patch: Partial<Omit<Grant, "id">> & { state: GrantState }): Promise<boolean> {
  const changed = await deps.tx.transaction(async () => {
    if (!await deps.grants.update(id, from, patch)) return false;
    const grant = await deps.grants.get(id);
    if (grant) await queueGrantRefreshes(deps, { homeUsers: deps.homeUsers }, grant);
    return true;
  });
  if (changed) deps.wake();
  return changed;
}

/**
 * Ends many grants at once (a batch of expiries): each a compare-and-set from its `from` state
 * (GrantStore.endMany), with the refreshes of those it changed, in one transaction. Returns the
 * grants it ended, as they are after; one already moved on is left out. Safe to repeat.
 */
export async function endStates(deps: TransitionDeps, ends: readonly GrantEnd[]): Promise<Grant[]> {
  const ended = await deps.tx.transaction(async () => {
    const after = await deps.grants.endMany(ends);
    if (after.length > 0) await deps.jobs.enqueueMany(await grantRefreshJobs(deps, { homeUsers: deps.homeUsers }, after));
    return after;
  });
  if (ended.length > 0) deps.wake();
  return ended;
}

/** Stores a new request (state `requested`) with its refreshes. Throws if the id exists. */
export async function recordNewGrant(deps: TransitionDeps, grant: Grant): Promise<void> {
  await deps.tx.transaction(async () => {
    await deps.grants.insert(grant);
    await queueGrantRefreshes(deps, { homeUsers: deps.homeUsers }, grant);
  });
  deps.wake();
}
