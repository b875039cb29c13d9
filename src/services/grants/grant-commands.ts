/**
 * Use cases behind `/access list|release|extend` and `grantbot revoke|grants`.
 */
import { AppError } from "../../domain/errors.ts";
import { LIVE_STATES, PENDING_STATES, type Grant } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import { endGrant } from "./end-grant.ts";
import { requestAccess } from "./request-access.ts";
import { assertExtendable } from "../../domain/breakglass.ts";

export type OwnLiveGrantDeps = Pick<ServiceDeps, "grants">;

/**
 * The grant `grantId` when `email` is its subject and it is live; otherwise `grant_not_found`,
 * `not_allowed` (someone else's grant) or `invalid_transition` (already ended). Buttons and
 * subcommands check this before acting.
 */
export async function ownLiveGrant(deps: OwnLiveGrantDeps, grantId: string, email: string): Promise<Grant> {
  const grant = await deps.grants.get(grantId);
  if (!grant) throw new AppError("grant_not_found", `there is no grant ${grantId}`);
  if (grant.subject !== email.toLowerCase()) throw new AppError("not_allowed", `grant ${grantId} is not yours`);
  if (grant.state !== "active" && grant.state !== "approved") {
    throw new AppError("invalid_transition", `grant ${grantId} is ${grant.state}, not active`);
  }
  return grant;
}

export type LinkedLiveGrantsDeps = Pick<ServiceDeps, "grants">;

/**
 * Live grants linked to `grant` through `extends` (its extensions, the grant it extends, and so
 * on), same subject and resource. They keep each other's membership, so they end together.
 */
export async function linkedLiveGrants(deps: LinkedLiveGrantsDeps, grant: Grant): Promise<Grant[]> {
  const live = (await deps.grants.listBySubject(grant.subject, LIVE_STATES)).filter((g) => g.resource === grant.resource && g.id !== grant.id);
  const linked = new Set([grant.id]);
  const extendedBy = async (ids: string[], id: string): Promise<boolean> => {
    for (const other of ids) if ((await deps.grants.get(other))?.extends === id) return true;
    return false;
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const g of live) {
      if (linked.has(g.id)) continue;
      if ((g.extends && linked.has(g.extends)) || (await extendedBy([...linked], g.id))) {
        linked.add(g.id);
        grew = true;
      }
    }
  }
  return live.filter((g) => linked.has(g.id));
}

export type ReleaseGrantDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "tx" | "wake">;

/**
 * The subject ends their own grant now: the same revocation path as expiry. A grant and its
 * live extensions are released together — otherwise one would keep the membership the person
 * just asked to give up.
 */
export async function releaseGrant(deps: ReleaseGrantDeps, grantId: string, email: string): Promise<Grant> {
  const grant = await ownLiveGrant(deps, grantId, email);
  const actor = email.toLowerCase();
  for (const other of await linkedLiveGrants(deps, grant)) await endGrant(deps, other.id, "released", actor, `released together with ${grant.id}`);
  await endGrant(deps, grant.id, "released", actor);
  return (await deps.grants.get(grant.id))!;
}

export type ExtendGrantDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "people" | "policy" | "tx" | "wake">;

/** Opens a new request marked as an extension of a live grant. */
export async function extendGrant(deps: ExtendGrantDeps, input: { grantId: string; email: string; slackId: string | null; duration: string; reason?: string }): Promise<Grant> {
  const grant = await ownLiveGrant(deps, input.grantId, input.email);
  assertExtendable(grant);
  const waiting = (await deps.grants.listBySubject(grant.subject, PENDING_STATES)).find((g) => g.extends === grant.id);
  if (waiting) {
    throw new AppError("invalid_transition", `grant ${grant.id} already has an extension waiting for review (${waiting.prUrl ? `PR #${waiting.prNumber}` : `request ${waiting.id}`})`);
  }
  return requestAccess(deps, {
    requesterEmail: input.email,
    requesterSlackId: input.slackId,
    resource: grant.resource,
    duration: input.duration,
    reason: input.reason?.trim() || `extension of ${grant.id}: ${grant.reason}`,
    extends: grant.id,
  });
}

export type RevokeGrantDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "tx" | "wake">;

/** Operator revocation (CLI, offboarding). */
export async function revokeGrant(deps: RevokeGrantDeps, grantId: string, actor: string, reason: "revoked" | "leaver" | "ineligible" = "revoked", detail?: string): Promise<boolean> {
  const grant = await deps.grants.get(grantId);
  if (!grant) throw new AppError("grant_not_found", `there is no grant ${grantId}`);
  return endGrant(deps, grantId, reason, actor, detail);
}
