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
export function usageOfGrants(deps: GrantUsageDeps, grants: readonly Grant[]): Map<string, GrantUse> {
  const usage = deps.usage.forGrants(grants.map((g) => g.id));
  return new Map(grants.map((g) => [g.id, { usage: usage.get(g.id) ?? null, hasCredential: deps.credentials.forGrant(g.id).length > 0 }]));
}

export type UsageHistoryDeps = Pick<ServiceDeps, "credentials" | "grants" | "usage">;

/** The subject's grants of `resource` activated in the window, and what their use was. */
export function historyOf(deps: UsageHistoryDeps, subject: string, resource: string, now: number, windowMs = USAGE_WINDOW_MS): UsageHistory {
  const grants = deps.grants.listBySubject(subject.toLowerCase(), GRANT_STATES).filter((g) => g.resource === resource && g.activatedAt !== null);
  const rows: UsageGrant[] = grants.map((g) => ({ id: g.id, activatedAt: g.activatedAt, endedAt: g.endedAt, hasCredential: deps.credentials.forGrant(g.id).length > 0 }));
  return usageHistory(rows, deps.usage.forGrants(grants.map((g) => g.id)), now, windowMs);
}

/** The new-grant-PR hint ("alice has had 9 grants of prod-db-readonly in 30 days, 2 of them never used"), or null. */
export function requestHint(deps: UsageHistoryDeps, subject: string, resource: string, now: number): string | null {
  return usageHint(subject, resource, historyOf(deps, subject, resource, now));
}
