/**
 * Announcing a break-glass grant: at activation its review deadline is fixed (activation +
 * `review_within`) and the deadline job queued for that exact moment; once BOTH the access and
 * the review PR exist — whichever of the two jobs commits second, each checks for the other
 * inside its own transaction — the activation is audited (`breakglass.activated`), commented on
 * the PR and alerted to ops, the resource's `breakglass.channels`, the manager and the person.
 * Should the PR take longer than PR_WAIT_MS (GitHub down), the alerts go out without it.
 * Call these inside the transaction of the change.
 */
import { isEmergencyGrant, type BreakglassEvent, type BreakglassAudience } from "../../domain/breakglass.ts";
import { breakglassActiveComment, iso } from "../../domain/breakglass-texts.ts";
import type { Grant } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import { queuePrComment } from "../messages/outbox.ts";
import type { BreakglassRecord } from "../ports/index.ts";

/** How long the alerts wait for the review PR before going out without its link. */
export const PR_WAIT_MS = 10_000;

export type QueueBreakglassNoticesDeps = Pick<ServiceDeps, "jobs" | "people">;

/** Who hears about each event (`channels` = every channel of the resource's `breakglass.channels`). */
const AUDIENCES: Record<BreakglassEvent, readonly BreakglassAudience[]> = {
  activated: ["ops", "channel", "manager", "requester"],
  activated_no_pr: ["ops", "channel", "manager"],
  overdue: ["ops", "manager", "requester"],
  rejected_pr: ["ops", "channel"],
  unreviewed_merge: ["ops"],
  reviewed: ["ops", "manager"],
};

/**
 * Queues one notice job per recipient (so a failure to reach one never repeats another's).
 * `tag` tells repeated events apart (the n-th escalation). The manager is the requester's in the
 * directory snapshot; none known = not queued.
 */
export async function queueBreakglassNotices(deps: QueueBreakglassNoticesDeps, grant: Grant, record: BreakglassRecord, event: BreakglassEvent, options: { tag?: string; runAt?: number; fallback?: boolean } = {}): Promise<void> {
  const base = `${JOB.breakglassNotice}:${event}${options.tag ? `:${options.tag}` : ""}:${grant.id}`;
  const common = { ...(options.runAt === undefined ? {} : { runAt: options.runAt }), maxAttempts: 20 };
  const payload = { grantId: grant.id, event, ...(options.fallback ? { fallback: true } : {}) };
  for (const audience of AUDIENCES[event]) {
    if (audience === "channel") {
      for (const channel of record.channels) await enqueue(deps.jobs, JOB.breakglassNotice, { ...payload, audience, channel }, { ...common, dedupeKey: `${base}:channel:${channel}` });
      continue;
    }
    if (audience === "manager" && !(await deps.people.get(grant.requester))?.managerEmail) continue;
    await enqueue(deps.jobs, JOB.breakglassNotice, { ...payload, audience }, { ...common, dedupeKey: `${base}:${audience}` });
  }
}

export type OnEmergencyActivatedDeps = Pick<ServiceDeps, "audit" | "breakglass" | "credentials" | "grants" | "jobs" | "people">;

/**
 * Activation of `grant` (now `active`) just committed in this transaction: fixes the review
 * deadline, queues the deadline job, and announces if the PR is already open (else queues the
 * alerts that go out without it after PR_WAIT_MS). No-op for a grant that is not break-glass.
 */
export async function onEmergencyActivated(deps: OnEmergencyActivatedDeps, grant: Grant, now: number): Promise<void> {
  if (!isEmergencyGrant(grant)) return;
  const record = await deps.breakglass.get(grant.id);
  if (!record) return;
  const deadline = now + record.reviewWithinMs;
  if (await deps.breakglass.markActivated(grant.id, now, deadline)) {
    await enqueue(deps.jobs, JOB.breakglassReviewDue, { grantId: grant.id, n: 0 }, { runAt: deadline, dedupeKey: `${JOB.breakglassReviewDue}:${grant.id}:0`, maxAttempts: null });
  }
  if (!await announceIfReady(deps, grant.id, now) && grant.prNumber === null) {
    await queueBreakglassNotices(deps, grant, { ...record, activatedAt: now, reviewDeadline: deadline }, "activated_no_pr", { runAt: now + PR_WAIT_MS, fallback: true });
  }
}

export type AnnounceIfReadyDeps = Pick<ServiceDeps, "audit" | "breakglass" | "credentials" | "grants" | "jobs" | "people">;

/**
 * Announces the activation once both the access and the PR exist; returns whether this call did
 * (false: not ready yet, or announced before — the announcement happens exactly once).
 */
export async function announceIfReady(deps: AnnounceIfReadyDeps, grantId: string, now: number): Promise<boolean> {
  const grant = await deps.grants.get(grantId);
  const record = await deps.breakglass.get(grantId);
  if (!grant || !record || record.activatedAt === null || record.reviewDeadline === null || grant.prNumber === null) return false;
  if (!await deps.breakglass.markAnnounced(grantId, now)) return false;
  const expiresAt = grant.expiresAt ?? record.activatedAt + grant.durationMs;
  await deps.audit.append({
    at: now,
    actor: grant.requester,
    action: "breakglass.activated",
    grantId,
    data: {
      resource: grant.resource,
      subject: grant.subject,
      reason: grant.reason,
      activatedAt: iso(record.activatedAt),
      expiresAt: iso(expiresAt),
      reviewDeadline: iso(record.reviewDeadline),
      pr: grant.prNumber,
      url: grant.prUrl,
    },
  });
  const access = grant.access ?? { target: "?", groups: [] };
  await queuePrComment(deps, grant, "breakglass-active", breakglassActiveComment({ activatedAt: record.activatedAt, expiresAt, reviewDeadline: record.reviewDeadline, groups: access.groups, target: access.target, credential: (await deps.credentials.forGrant(grantId)).length > 0 }));
  await queueBreakglassNotices(deps, grant, record, "activated");
  return true;
}
