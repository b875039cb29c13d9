/**
 * Ending a live grant — at expiry, on release, on revocation. In one transaction: the grant's
 * state, every credential revoked (introspection answers inactive from that instant), one
 * removal job per SCIM membership, and the credential DM's redaction. The removal jobs retry
 * forever and alert operators while a target is down: a revocation is never dropped.
 */
import type { Grant, GrantState } from "../../domain/grant.ts";
import { queueNote } from "../messages/outbox.ts";
import { changeState } from "./transitions.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { payloadOf, enqueue, lockKeys, dedupeKeys } from "../jobs/enqueue.ts";
import type { ServiceDeps } from "../deps.ts";
import type { BatchFailures } from "../jobs/runner.ts";
import { JOB } from "../jobs/kinds.ts";

export type EndReason = "expired" | "released" | "revoked" | "leaver" | "ineligible";

const END_STATE: Record<EndReason, GrantState> = {
  expired: "expired",
  released: "released",
  revoked: "revoked",
  leaver: "revoked",
  ineligible: "revoked",
};

export type QueueRemovalsDeps = Pick<ServiceDeps, "jobs">;

/** Queues removal of every membership the grant gave. Call inside a transaction. */
export async function queueRemovals(deps: QueueRemovalsDeps, grant: Grant, reason: EndReason): Promise<void> {
  if (!grant.access) return;
  for (const group of grant.access.groups) {
    await enqueue(deps.jobs, JOB.scimRemove, { grantId: grant.id, target: grant.access.target, group, subject: grant.subject, reason }, { dedupeKey: dedupeKeys.scimRemove(grant.id, grant.access.target, group), lockKey: lockKeys.scimUser(grant.access.target, grant.subject), maxAttempts: null });
  }
}

export type EndGrantDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "tx" | "wake">;

/**
 * Ends a grant that is active (or approved and not yet active). Returns false when it was not
 * live any more (already ended: nothing to do). Safe to call twice.
 */
export async function endGrant(deps: EndGrantDeps, grantId: string, reason: EndReason, actor: string, detail?: string): Promise<boolean> {
  const now = deps.clock.now();
  let ended = false;
  await deps.tx.transaction(async () => {
    const grant = await deps.grants.get(grantId);
    if (!grant || (grant.state !== "active" && grant.state !== "approved")) return;
    const state = END_STATE[reason];
    if (grant.state === "approved" && state === "expired") return;
    ended = await changeState(deps, grantId, [grant.state], {
      state: grant.state === "approved" ? "revoked" : state,
      endedAt: now,
      endReason: detail ? `${reason}: ${detail}` : reason,
      updatedAt: now,
    });
    if (!ended) return;
    const revoked = await deps.credentials.revokeForGrant(grantId, now);
    const after = (await deps.grants.get(grantId))!;
    await queueRemovals(deps, after, reason);
    await enqueue(deps.jobs, JOB.redactCredential, { grantId }, { dedupeKey: dedupeKeys.redactCredential(grantId), lockKey: lockKeys.grant(grantId), maxAttempts: 20 });
    if (!after.access || after.access.groups.length === 0) {
      // Nothing to remove: the "ended" DM goes now (otherwise after the last verified removal).
      await queueNote(deps, after, "ended", { reason });
    }
    await deps.audit.append({ at: now, actor, action: `grant.${reason}`, grantId, data: { credentialsRevoked: revoked, lateByMs: grant.expiresAt !== null && reason === "expired" ? now - grant.expiresAt : undefined, detail } });
    deps.metrics.ended(grant.resource, reason);
  });
  if (ended) deps.wake();
  return ended;
}

export type ExpireHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "tx" | "wake">;

/** Job: the expiry moment of a grant (queued at activation with runAt = expiresAt). */
export function expireHandler(deps: ExpireHandlerDeps): KindHandler<"expire"> {
  const expire = async (grantId: string) => {
    const grant = await deps.grants.get(grantId);
    if (!grant || grant.state !== "active" || grant.expiresAt === null) return;
    if (grant.expiresAt > deps.clock.now()) return;
    await endGrant(deps, grant.id, "expired", "grantbot");
  };
  return {
    maxAttempts: null,
    async run(payload) {
      await expire(payload.grantId);
    },
    // Many grants expiring in the same second end in one transaction (one fsync, not one each);
    // a grant whose end fails rolls back alone (its savepoint) and is retried on its own.
    batch: {
      // small enough that one transaction blocks the event loop for tens of milliseconds, not
      // hundreds (introspection and Slack acks wait meanwhile)
      size: 100,
      key: () => "grant:",
      parallel: true,
      async run(jobs) {
        const failures: BatchFailures = new Map();
        await deps.tx.transaction(async () => {
          for (const job of jobs) {
            try {
              await expire(payloadOf(JOB.expire, job).grantId);
            } catch (err) {
              failures.set(job.id, err);
            }
          }
        });
        return failures;
      },
    },
  };
}

export type SweepExpiriesDeps = Pick<ServiceDeps, "clock" | "grants" | "jobs" | "wake">;

/**
 * Backstop (cron sweep and start-up): every active grant past its expiry gets its expiry job
 * (deduplicated), so one lost timer or a process that was down delays nothing further.
 */
export async function sweepExpiries(deps: SweepExpiriesDeps, limit = 10_000): Promise<number> {
  const now = deps.clock.now();
  let queued = 0;
  for (const grant of await deps.grants.listDueForExpiry(now, limit)) {
    const id = await enqueue(deps.jobs, JOB.expire, { grantId: grant.id }, { runAt: grant.expiresAt ?? now, dedupeKey: dedupeKeys.expire(grant.id), lockKey: lockKeys.grant(grant.id), maxAttempts: null });
    if (id !== null) queued++;
  }
  if (queued > 0 || (await deps.grants.listDueForExpiry(now, 1)).length > 0) deps.wake();
  return queued;
}
