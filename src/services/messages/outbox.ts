/**
 * Helpers that queue the user-visible side effects of a state change (DMs, PR comments) as
 * durable jobs. Call them inside the transaction that changes the grant, so the message and the
 * change commit together.
 */
import type { Grant } from "../../domain/grant.ts";
import { jobSpec, lockKeys } from "../jobs/enqueue.ts";
import type { JobSpec } from "../ports/index.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";

export type NoteKind = "request_opened" | "request_failed" | "declined" | "rejected" | "ended";

export type QueueNoteDeps = Pick<ServiceDeps, "jobs">;

/** Queues a DM to the requester about `grant` (rendered when sent, from the grant at that time). */
export async function queueNote(deps: QueueNoteDeps, grant: Grant, kind: NoteKind, extra: { message?: string; reason?: string } = {}): Promise<void> {
  await deps.jobs.enqueue(noteJob(grant, kind, extra));
}

/** The job `queueNote` queues (for `enqueueMany`). */
export function noteJob(grant: Grant, kind: NoteKind, extra: { message?: string; reason?: string } = {}): JobSpec {
  return jobSpec(JOB.notify, { grantId: grant.id, note: kind, ...extra }, { dedupeKey: `${JOB.notify}:${kind}:${grant.id}`, lockKey: lockKeys.grant(grant.id), maxAttempts: 20 });
}

export type QueuePrCommentDeps = Pick<ServiceDeps, "jobs">;

/** Queues a comment on the grant's PR (no-op when it has none). `tag` makes it idempotent. */
export async function queuePrComment(deps: QueuePrCommentDeps, grant: Grant, tag: string, body: string): Promise<void> {
  const job = prCommentJob(grant, tag, body);
  if (job) await deps.jobs.enqueue(job);
}

/** The job `queuePrComment` queues (for `enqueueMany`), or null when the grant has no PR. */
export function prCommentJob(grant: Grant, tag: string, body: string): JobSpec | null {
  if (grant.prNumber === null) return null;
  return jobSpec(JOB.prComment, { prNumber: grant.prNumber, body }, { dedupeKey: `${JOB.prComment}:${tag}:${grant.id}`, maxAttempts: 20 });
}
