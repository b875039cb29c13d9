/**
 * Use of grants as the services show it (issue 15): per grant (first/last use, count) for
 * `/access list` and the Home tab, and per person and resource over a window for reviewers
 * (new grant PRs, access reviews). Uses come from introspections of active credentials
 * (adapters/credentials/introspection-http.ts records them through the UsageLog); a grant
 * without a credential has no use grantbot can see, and says so.
 */
import { GRANT_STATES, type Grant } from "../../domain/grant.ts";
import { usageHint, usageHistory, USAGE_WINDOW_MS, type GrantUsage, type UsageGrant, type UsageHistory } from "../../domain/usage.ts";
import type { ServiceDeps } from "../deps.ts";

export type GrantUsageDeps = Pick<ServiceDeps, "credentials" | "usage">;

export interface GrantUse {
  usage: GrantUsage | null;
  hasCredential: boolean;
}

/** Each grant's use so far (absent from the usage log = never used). */
export async function usageOfGrants(deps: GrantUsageDeps, grants: readonly Grant[]): Promise<Map<string, GrantUse>> {
  const usage = await deps.usage.forGrants(grants.map((g) => g.id));
  return new Map(await Promise.all(grants.map(async (g) => [g.id, { usage: usage.get(g.id) ?? null, hasCredential: (await deps.credentials.forGrant(g.id)).length > 0 }] as const)));
}

export type UsageHistoryDeps = Pick<ServiceDeps, "credentials" | "grants" | "usage">;

/** The subject's grants of `resource` activated in the window, and what their use was. */
export async function historyOf(deps: UsageHistoryDeps, subject: string, resource: string, now: number, windowMs = USAGE_WINDOW_MS): Promise<UsageHistory> {
  const grants = (await deps.grants.listBySubject(subject.toLowerCase(), GRANT_STATES)).filter((g) => g.resource === resource && g.activatedAt !== null);
  const rows: UsageGrant[] = await Promise.all(grants.map(async (g) => ({ id: g.id, activatedAt: g.activatedAt, endedAt: g.endedAt, hasCredential: (await deps.credentials.forGrant(g.id)).length > 0 })));
  return usageHistory(rows, await deps.usage.forGrants(grants.map((g) => g.id)), now, windowMs);
}

/** The new-grant-PR hint ("alice has had 9 grants of prod-db-readonly in 30 days, 2 of them never used"), or null. */
export async function requestHint(deps: UsageHistoryDeps, subject: string, resource: string, now: number): Promise<string | null> {
  return usageHint(subject, resource, await historyOf(deps, subject, resource, now));
}
