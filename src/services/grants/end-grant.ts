/**
 * Ending a live grant — at expiry, on release, on revocation. In one transaction: the grant's
 * state, every credential revoked (introspection answers inactive from that instant), one
 * removal job per SCIM membership, and the credential DM's redaction. The removal jobs retry
 * forever and alert operators while a target is down: a revocation is never dropped.
 *
 * Many grants end together (a thousand expiring in one second) through the same path, set-based:
 * one read, one compare-and-set, one credential update and one insert of jobs for a whole batch —
 * on PostgreSQL a handful of round trips for a hundred grants instead of fifteen for each.
 */
import type { Grant, GrantState } from "../../domain/grant.ts";
import { noteJob } from "../messages/outbox.ts";
import { endStates } from "./transitions.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { payloadOf, enqueue, jobSpec, lockKeys, dedupeKeys } from "../jobs/enqueue.ts";
import type { ServiceDeps } from "../deps.ts";
import type { BatchFailures } from "../jobs/runner.ts";
import type { GrantEnd, JobSpec } from "../ports/index.ts";
import { JOB } from "../jobs/kinds.ts";

export type EndReason = "expired" | "released" | "revoked" | "leaver" | "ineligible";

const END_STATE: Record<EndReason, GrantState> = {
  expired: "expired",
  released: "released",
  revoked: "revoked",
  leaver: "revoked",
  ineligible: "revoked",
};

/** The removal job of every membership the grant gave. */
function removalJobs(grant: Grant, reason: EndReason): JobSpec[] {
  const access = grant.access;
  if (!access) return [];
  return access.groups.map((group) =>
    jobSpec(JOB.scimRemove, { grantId: grant.id, target: access.target, group, subject: grant.subject, reason }, { dedupeKey: dedupeKeys.scimRemove(grant.id, access.target, group), lockKey: lockKeys.scimUser(access.target, grant.subject), maxAttempts: null }),
  );
}

export type QueueRemovalsDeps = Pick<ServiceDeps, "jobs">;

/** Queues removal of every membership the grant gave. Call inside a transaction. */
export async function queueRemovals(deps: QueueRemovalsDeps, grant: Grant, reason: EndReason): Promise<void> {
  await deps.jobs.enqueueMany(removalJobs(grant, reason));
}

/** One grant to end, and why. */
export interface EndRequest {
  grantId: string;
  reason: EndReason;
  actor: string;
  detail?: string;
}

/**
 * Whether `grant` ends for `reason` now: an expiry ends an active grant whose time has come
 * (never an approved one: it has not started); anything else ends an active or approved grant.
 */
function endsNow(grant: Grant, reason: EndReason, now: number): boolean {
  if (reason === "expired") return grant.state === "active" && grant.expiresAt !== null && grant.expiresAt <= now;
  return grant.state === "active" || grant.state === "approved";
}

export type EndGrantDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "metrics" | "tx" | "wake">;

/**
 * Ends the grants of `requests` that are live (an id named twice: its first request), in one
 * transaction; returns the ids it ended. A grant already ended (or not due, for an expiry) is
 * left alone: safe to call twice, and of two instances racing on a grant exactly one ends it.
 * Throws when the store fails: nothing of the batch is then written.
 */
export async function endGrants(deps: EndGrantDeps, requests: readonly EndRequest[]): Promise<Set<string>> {
  const now = deps.clock.now();
  const byId = new Map<string, EndRequest>();
  for (const r of requests) if (!byId.has(r.grantId)) byId.set(r.grantId, r);
  let ended: Grant[] = [];
  await deps.tx.transaction(async () => {
    const before = new Map((await deps.grants.getMany([...byId.keys()])).map((g) => [g.id, g]));
    const ends: GrantEnd[] = [];
    for (const r of byId.values()) {
      const grant = before.get(r.grantId);
      if (!grant || !endsNow(grant, r.reason, now)) continue;
      // An approved grant (not yet active) is revoked whatever the reason: it never started.
      const state = grant.state === "approved" ? "revoked" : END_STATE[r.reason];
      ends.push({ id: grant.id, from: grant.state, state, endedAt: now, endReason: r.detail ? `${r.reason}: ${r.detail}` : r.reason });
    }
    if (ends.length === 0) return;
    ended = await endStates(deps, ends);
    if (ended.length === 0) return;
    const revoked = await deps.credentials.revokeForGrants(ended.map((g) => g.id), now);
    const jobs: JobSpec[] = [];
    for (const after of ended) {
      const { reason } = byId.get(after.id)!;
      jobs.push(...removalJobs(after, reason));
      jobs.push(jobSpec(JOB.redactCredential, { grantId: after.id }, { dedupeKey: dedupeKeys.redactCredential(after.id), lockKey: lockKeys.grant(after.id), maxAttempts: 20 }));
      // Nothing to remove: the "ended" DM goes now (otherwise after the last verified removal).
      if (!after.access || after.access.groups.length === 0) jobs.push(noteJob(after, "ended", { reason }));
    }
    await deps.jobs.enqueueMany(jobs);
    for (const after of ended) {
      const { reason, actor, detail } = byId.get(after.id)!;
      const expiresAt = before.get(after.id)!.expiresAt;
      const lateByMs = expiresAt !== null && reason === "expired" ? now - expiresAt : undefined;
      await deps.audit.append({ at: now, actor, action: `grant.${reason}`, grantId: after.id, data: { credentialsRevoked: revoked.get(after.id) ?? 0, lateByMs, detail } });
    }
  });
  for (const after of ended) deps.metrics.ended(after.resource, byId.get(after.id)!.reason);
  if (ended.length > 0) deps.wake();
  return new Set(ended.map((g) => g.id));
}

/**
 * Ends a grant that is active (or approved and not yet active). Returns false when it was not
 * live any more (already ended: nothing to do). Safe to call twice.
 */
export async function endGrant(deps: EndGrantDeps, grantId: string, reason: EndReason, actor: string, detail?: string): Promise<boolean> {
  return (await endGrants(deps, [{ grantId, reason, actor, ...(detail === undefined ? {} : { detail }) }])).has(grantId);
}

export type ExpireHandlerDeps = EndGrantDeps;

/** Job: the expiry moment of a grant (queued at activation with runAt = expiresAt). */
export function expireHandler(deps: ExpireHandlerDeps): KindHandler<"expire"> {
  const expiry = (grantId: string): EndRequest => ({ grantId, reason: "expired", actor: "grantbot" });
  return {
    maxAttempts: null,
    async run(payload) {
      await endGrants(deps, [expiry(payload.grantId)]);
    },
    // Many grants expiring in the same second end together, set-based, in one transaction. When
    // that fails (one grant's row the store refuses, say), each grant of the batch is ended on
    // its own (a savepoint each), so the one that fails is retried alone and the rest are not held up.
    batch: {
      // small enough that one transaction blocks the event loop for tens of milliseconds, not
      // hundreds (introspection and Slack acks wait meanwhile)
      size: 100,
      key: () => "grant:",
      parallel: true,
      async run(jobs, { log }) {
        const failures: BatchFailures = new Map();
        const items: { jobId: number; grantId: string }[] = [];
        for (const job of jobs) {
          try {
            items.push({ jobId: job.id, grantId: payloadOf(JOB.expire, job).grantId });
          } catch (err) {
            failures.set(job.id, err);
          }
        }
        try {
          await endGrants(deps, items.map((i) => expiry(i.grantId)));
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : String(err), jobs: items.length }, "ending an expiry batch together failed: ending its grants one by one");
          await deps.tx.transaction(async () => {
            for (const item of items) {
              try {
                await endGrants(deps, [expiry(item.grantId)]);
              } catch (err) {
                failures.set(item.jobId, err);
              }
            }
          });
        }
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
