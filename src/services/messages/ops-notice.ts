/**
 * Operator alerts as durable jobs (drift found, a directory poll that looks wrong). The dedupe
 * key makes one alert per distinct situation: repeating it is a no-op.
 */
import type { ServiceDeps } from "../deps.ts";
import { enqueue } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { JOB } from "../jobs/kinds.ts";

export type QueueOpsNoticeDeps = Pick<ServiceDeps, "jobs" | "wake">;

/** Queues an ops-channel alert; `key` identifies the situation (same key = alerted once). */
export async function queueOpsNotice(deps: QueueOpsNoticeDeps, key: string, title: string, detail: string): Promise<boolean> {
  const id = await enqueue(deps.jobs, JOB.opsNotice, { title, detail }, { dedupeKey: `${JOB.opsNotice}:${key}`, maxAttempts: 20 });
  if (id !== null) deps.wake();
  return id !== null;
}

/** `YYYY-MM-DD` (UTC) of `ms`: lets a persistent situation be re-alerted once a day. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export type OpsNoticeHandlerDeps = Pick<ServiceDeps, "notifier">;

export function opsNoticeHandler(deps: OpsNoticeHandlerDeps): KindHandler<"ops_notice"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      await deps.notifier.ops({ kind: "ops_alert", title: payload.title, detail: payload.detail });
    },
  };
}
