/**
 * Use case: a mover. The person's directory groups changed; every live grant whose catalog
 * `eligible` rule no longer holds for them is revoked with reason `ineligible` (the usual end
 * path: credentials inactive, verified SCIM removal, and the "ended" DM saying why). Runs as a
 * durable `mover_check` job queued in the transaction that recorded the change.
 */
import { isEligible } from "../../domain/eligibility.ts";
import { enqueue } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { LIVE_STATES } from "../../domain/grant.ts";
import { orList } from "../../domain/policy.ts";
import type { ServiceDeps } from "../deps.ts";
import { groupsFor } from "../policy/people-groups.ts";
import { endGrant } from "../grants/end-grant.ts";
import { JOB } from "../jobs/kinds.ts";

export type RevokeIneligibleGrantsDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "people" | "policy" | "tx" | "wake">;

/** Returns the ids of the grants it revoked. */
export async function revokeIneligibleGrants(deps: RevokeIneligibleGrantsDeps, email: string, actor = "grantbot"): Promise<string[]> {
  const subject = email.trim().toLowerCase();
  const live = await deps.grants.listBySubject(subject, LIVE_STATES);
  if (live.length === 0) return [];
  const { catalog, people } = await deps.policy.current();
  const groups = await groupsFor(deps, people, subject);
  const revoked: string[] = [];
  for (const grant of live) {
    const resource = catalog.resources[grant.resource];
    if (!resource || isEligible(resource, groups)) continue;
    const detail = `${subject} is no longer in ${orList(resource.eligible ?? [])} (directory groups now: ${groups.join(", ") || "none"})`;
    if (await endGrant(deps, grant.id, "ineligible", actor, detail)) revoked.push(grant.id);
  }
  return revoked;
}

export type QueueMoverCheckDeps = Pick<ServiceDeps, "jobs">;

/** Queues an eligibility re-check of a person. Call inside the transaction recording the change. */
export async function queueMoverCheck(deps: QueueMoverCheckDeps, email: string, actor: string): Promise<void> {
  await enqueue(deps.jobs, JOB.moverCheck, { email: email.toLowerCase(), actor }, { lockKey: `person:${email.toLowerCase()}`, maxAttempts: null });
}

export type MoverCheckHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "notifier" | "people" | "policy" | "tx" | "wake">;

export function moverCheckHandler(deps: MoverCheckHandlerDeps): KindHandler<"mover_check"> {
  return {
    // A revocation: never dropped (the catalog may be briefly unreadable).
    maxAttempts: null,
    alertAfterAttempts: 5,
    async onAlert(payload, error, attempts) {
      await deps.notifier.ops({ kind: "ops_alert", title: "Mover check is being retried", detail: `Re-checking the grants of ${payload.email} after a directory change keeps failing (attempt ${attempts}): ${error}` });
    },
    async run(payload) {
      await revokeIneligibleGrants(deps, payload.email, payload.actor ?? "grantbot");
    },
  };
}
