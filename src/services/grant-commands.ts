/**
 * Use cases behind `/access list|release|extend` and `grantbot revoke|grants`.
 */
import { AppError } from "../domain/errors.ts";
import { LIVE_STATES, PENDING_STATES, type Grant } from "../domain/grant.ts";
import type { ServiceDeps } from "./deps.ts";
import { endGrant } from "./end-grant.ts";
import { requestAccess } from "./request-access.ts";

export interface MyGrants {
  pending: Grant[];
  live: Grant[];
}

export function listMyGrants(deps: ServiceDeps, email: string): MyGrants {
  const subject = email.toLowerCase();
  const mine = deps.grants.listBySubject(subject, [...PENDING_STATES, ...LIVE_STATES]);
  return {
    pending: mine.filter((g) => PENDING_STATES.includes(g.state)),
    live: mine.filter((g) => LIVE_STATES.includes(g.state)),
  };
}

function ownLiveGrant(deps: ServiceDeps, grantId: string, email: string): Grant {
  const grant = deps.grants.get(grantId);
  if (!grant) throw new AppError("grant_not_found", `there is no grant ${grantId}`);
  if (grant.subject !== email.toLowerCase()) throw new AppError("not_allowed", `grant ${grantId} is not yours`);
  if (grant.state !== "active" && grant.state !== "approved") {
    throw new AppError("invalid_transition", `grant ${grantId} is ${grant.state}, not active`);
  }
  return grant;
}

/** The subject ends their own grant now: the same revocation path as expiry. */
export function releaseGrant(deps: ServiceDeps, grantId: string, email: string): Grant {
  const grant = ownLiveGrant(deps, grantId, email);
  endGrant(deps, grant.id, "released", email.toLowerCase());
  return deps.grants.get(grant.id)!;
}

/** Opens a new request marked as an extension of a live grant. */
export async function extendGrant(deps: ServiceDeps, input: { grantId: string; email: string; slackId: string | null; duration: string; reason?: string }): Promise<Grant> {
  const grant = ownLiveGrant(deps, input.grantId, input.email);
  return requestAccess(deps, {
    requesterEmail: input.email,
    requesterSlackId: input.slackId,
    resource: grant.resource,
    duration: input.duration,
    reason: input.reason?.trim() || `extension of ${grant.id}: ${grant.reason}`,
    extends: grant.id,
  });
}

/** Operator revocation (CLI, offboarding). */
export function revokeGrant(deps: ServiceDeps, grantId: string, actor: string, reason: "revoked" | "leaver" | "ineligible" = "revoked", detail?: string): boolean {
  const grant = deps.grants.get(grantId);
  if (!grant) throw new AppError("grant_not_found", `there is no grant ${grantId}`);
  return endGrant(deps, grantId, reason, actor, detail);
}
