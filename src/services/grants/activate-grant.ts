/**
 * Job: an approved grant becomes active. Adds the subject to every SCIM group recorded with the
 * grant at approval (`access`, from the policy before the merge) and reads each membership back;
 * only then, in one transaction: state active with
 * expiry = now + duration, credential recorded, expiry job queued for that exact moment,
 * credential DM and PR comment queued.
 */
import { AppError } from "../../domain/errors.ts";
import { changeState } from "./transitions.ts";
import { enqueue, lockKeys, dedupeKeys } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { expiryFor, type Grant } from "../../domain/grant.ts";
import { activationComment } from "../../domain/pr-texts.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import { queueNote, queuePrComment } from "../messages/outbox.ts";
import { ensureMember } from "../targets/membership.ts";
import { queueRemovals } from "./end-grant.ts";
import { queueExpiryReminder } from "./expiry-reminders.ts";
import { isEmergencyGrant } from "../../domain/breakglass.ts";
import { onEmergencyActivated } from "../breakglass/announce.ts";
import { REQUEST_POLICY_MAX_AGE_MS } from "../policy/policy-provider.ts";

export type ActivateHandlerDeps = Pick<ServiceDeps, "audit" | "breakglass" | "people" | "clock" | "credentials" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "notifier" | "policy" | "settings" | "targets" | "tx" | "wake">;

export function activateHandler(deps: ActivateHandlerDeps): KindHandler<"activate"> {
  return {
    maxAttempts: 10_000,
    alertAfterAttempts: 3,
    async onAlert(payload, error, attempts) {
      await deps.notifier.ops({ kind: "ops_alert", title: "Activation is being retried", detail: `grant ${payload.grantId}: ${error} (attempt ${attempts})`, grantId: payload.grantId });
    },
    async onDead(payload, error) {
      await failActivation(deps, payload.grantId, error);
    },
    async run(payload, { log }) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant || grant.state !== "approved") return;
      // The rules the approval was judged by (the base before the merge), not today's catalog.
      // Break-glass: the catalog the request was checked against will do (an emergency must not wait on GitHub).
      const { catalog } = grant.policySha ? await deps.policy.at(grant.policySha) : await deps.policy.current(isEmergencyGrant(grant) ? { maxAgeMs: REQUEST_POLICY_MAX_AGE_MS } : {});
      const resource = Object.hasOwn(catalog.resources, grant.resource) ? catalog.resources[grant.resource] : undefined;
      if (!resource) throw new AppError("unknown_resource", `resource ${grant.resource} is not in the catalog the grant was approved under`, { retryable: false });
      const planned = grant.access ?? { target: resource.scim.target, groups: [...resource.scim.groups] };
      if (!grant.access) {
        // Approved by an older version: record what activation may touch before touching it.
        const recorded = await deps.tx.transaction(async () => deps.grants.update(grant.id, ["approved"], { access: planned, updatedAt: deps.clock.now() }));
        if (!recorded) return;
      }
      const { target, groups } = planned;
      const directory = deps.targets.get(target);
      let userId: string | undefined;
      for (const group of groups) userId = await ensureMember(directory, grant.subject, group);
      const access = { target, groups, ...(userId ? { userId } : {}) };

      const now = deps.clock.now();
      const expiresAt = expiryFor(now, grant.durationMs);
      let activated = false;
      await deps.tx.transaction(async () => {
        activated = await changeState(deps, grant.id, ["approved"], { state: "active", activatedAt: now, expiresAt, access, updatedAt: now });
        if (!activated) return;
        const credential = resource.credential;
        if (credential) {
          await deps.credentials.insert({
            jti: deps.ids.next(),
            grantId: grant.id,
            subject: grant.subject,
            audience: credential.audience,
            scope: credential.scopes.join(" "),
            kid: "",
            issuedAt: now,
            expiresAt,
            revokedAt: null,
          });
        }
        await enqueue(deps.jobs, JOB.expire, { grantId: grant.id }, { runAt: expiresAt, dedupeKey: dedupeKeys.expire(grant.id), lockKey: lockKeys.grant(grant.id), maxAttempts: null });
        await queueExpiryReminder(deps, { id: grant.id, durationMs: grant.durationMs, expiresAt });
        await enqueue(deps.jobs, JOB.deliverCredential, { grantId: grant.id }, { dedupeKey: dedupeKeys.deliverCredential(grant.id), lockKey: lockKeys.grant(grant.id), maxAttempts: 20 });
        const active = (await deps.grants.get(grant.id))!;
        // A break-glass grant: review deadline, its own PR comment and alerts (services/breakglass).
        if (isEmergencyGrant(grant)) await onEmergencyActivated(deps, active, now);
        else await queuePrComment(deps, active, "active", activationComment({ expiresAt, groups, target, approvers: grant.approvedBy, credential: Boolean(credential) }));
        await deps.audit.append({ at: now, actor: "grantbot", action: "grant.activated", grantId: grant.id, data: { target, groups, verified: true, expiresAt: new Date(expiresAt).toISOString() } });
      });
      if (!activated) {
        // The grant ended while we were adding: its end queued removal of every planned group
        // (recorded before the first add); this makes sure of it, with the user id now known.
        log.warn({ grantId: grant.id }, "grant changed during activation; removing the membership again");
        const current = await deps.grants.get(grant.id);
        if (current) await deps.tx.transaction(async () => queueRemovals(deps, { ...current, access }, "revoked"));
        deps.wake();
        return;
      }
      deps.metrics.activated(grant.resource, now - (grant.approvedAt ?? now));
      deps.wake();
    },
  };
}

type FailActivationDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "homeUsers" | "jobs" | "notifier" | "tx" | "wake">;

/** Activation failed for good (no such user or group in the target, resource removed). */
async function failActivation(deps: FailActivationDeps, grantId: string, error: string): Promise<void> {
  const now = deps.clock.now();
  await deps.tx.transaction(async () => {
    const grant: Grant | null = await deps.grants.get(grantId);
    if (!grant) return;
    if (!await changeState(deps, grantId, ["approved"], { state: "revoked", endedAt: now, endReason: `activation failed: ${error}`, updatedAt: now })) return;
    await deps.audit.append({ at: now, actor: "grantbot", action: "grant.activation_failed", grantId, data: { error } });
    const updated = (await deps.grants.get(grantId))!;
    // Whatever the failed attempts added (a multi-group resource may have got some groups) comes off.
    await queueRemovals(deps, updated, "revoked");
    await queueNote(deps, updated, "rejected", { message: `Access could not be set up: ${error}` });
    await queuePrComment(deps, updated, "activation-failed", `❌ **Not activated.** ${error}`);
  });
  void deps.notifier.ops({ kind: "ops_alert", title: "Activation failed", detail: `grant ${grantId}: ${error}`, grantId }).catch(() => {});
}
