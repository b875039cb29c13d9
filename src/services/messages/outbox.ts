/**
 * Helpers that queue the user-visible side effects of a state change (DMs, PR comments) as
 * durable jobs. Call them inside the transaction that changes the grant, so the message and the
 * change commit together.
 */
import type { Grant } from "../../domain/grant.ts";
import { enqueue, lockKeys } from "../jobs/enqueue.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";

export type NoteKind = "request_opened" | "request_failed" | "declined" | "rejected" | "ended";

export type QueueNoteDeps = Pick<ServiceDeps, "jobs">;

/** Queues a DM to the requester about `grant` (rendered when sent, from the grant at that time). */
export async function queueNote(deps: QueueNoteDeps, grant: Grant, kind: NoteKind, extra: { message?: string; reason?: string } = {}): Promise<void> {
  await enqueue(deps.jobs, JOB.notify, { grantId: grant.id, note: kind, ...extra }, { dedupeKey: `${JOB.notify}:${kind}:${grant.id}`, lockKey: lockKeys.grant(grant.id), maxAttempts: 20 });
}

export type QueuePrCommentDeps = Pick<ServiceDeps, "jobs">;

/** Queues a comment on the grant's PR (no-op when it has none). `tag` makes it idempotent. */
export async function queuePrComment(deps: QueuePrCommentDeps, grant: Grant, tag: string, body: string): Promise<void> {
  if (grant.prNumber === null) return;
  await enqueue(deps.jobs, JOB.prComment, { prNumber: grant.prNumber, body }, { dedupeKey: `${JOB.prComment}:${tag}:${grant.id}`, maxAttempts: 20 });
}
