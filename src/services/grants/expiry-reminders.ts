/**
 * Pre-expiry reminder: a job queued at activation for `expiresAt - notifyBeforeExpiryMs` DMs the
 * requester how long is left and how to extend. Skipped when the grant already ended or an
 * extension of it is already on its way.
 */
import { LIVE_STATES, PENDING_STATES, type Grant } from "../../domain/grant.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";

export const DEFAULT_NOTIFY_BEFORE_EXPIRY_MS = 10 * 60_000;

export type QueueExpiryReminderDeps = Pick<ServiceDeps, "jobs" | "settings">;

/** Queues the reminder of a grant that just became active. Call inside the activation transaction. */
export async function queueExpiryReminder(deps: QueueExpiryReminderDeps, grant: Pick<Grant, "id" | "durationMs" | "expiresAt">): Promise<void> {
  const before = deps.settings.notifyBeforeExpiryMs ?? DEFAULT_NOTIFY_BEFORE_EXPIRY_MS;
  // A grant shorter than the reminder lead time would be "reminded" at activation: pointless.
  if (grant.expiresAt === null || before <= 0 || grant.durationMs <= before) return;
  await enqueue(deps.jobs, JOB.expiryReminder, { grantId: grant.id }, { runAt: grant.expiresAt - before, dedupeKey: `${JOB.expiryReminder}:${grant.id}`, lockKey: lockKeys.grant(grant.id), maxAttempts: 10 });
}

export type ExpiryReminderHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "notifier">;

export function expiryReminderHandler(deps: ExpiryReminderHandlerDeps): KindHandler<"expiry_reminder"> {
  return {
    maxAttempts: 10,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      const now = deps.clock.now();
      if (!grant || grant.state !== "active" || grant.expiresAt === null || grant.expiresAt <= now) return;
      const extending = (await deps.grants.listBySubject(grant.subject, [...PENDING_STATES, ...LIVE_STATES])).some((g) => g.extends === grant.id);
      if (extending) return;
      await deps.notifier.send({ email: grant.requester, slackId: grant.requesterSlackId }, { kind: "expiry_reminder", grant });
      await deps.audit.append({ at: now, actor: "grantbot", action: "grant.expiry_reminder", grantId: grant.id, data: { expiresAt: new Date(grant.expiresAt).toISOString(), remainingMs: grant.expiresAt - now } });
    },
  };
}
