/**
 * Typed access to the job queue: `enqueue(jobs, kind, payload, options)` checks the payload
 * against the kind at compile time, and the key builders are the one place each dedupe/lock key is
 * spelled, so the queue's de-duplication and mutual exclusion cannot drift between call sites.
 */
import type { Job, JobQueue, JobSpec } from "../ports/index.ts";
import { parsePayload, type JobInput, type JobKind, type JobPayload } from "./kinds.ts";

export type EnqueueOptions = Omit<JobSpec, "kind" | "payload">;

/** Durable, idempotent per dedupe key; returns the job id or null when de-duplicated. Call inside the change's transaction. */
export function enqueue<K extends JobKind>(jobs: Pick<JobQueue, "enqueue">, kind: K, payload: JobInput<K>, options: EnqueueOptions = {}): Promise<number | null> {
  return jobs.enqueue(jobSpec(kind, payload, options));
}

/** A job of `kind`, its payload checked by the compiler, for `JobQueue.enqueueMany` (many at once). */
export function jobSpec<K extends JobKind>(kind: K, payload: JobInput<K>, options: EnqueueOptions = {}): JobSpec {
  return { kind, payload: { ...payload }, ...options };
}

/** The typed payload of a job already claimed (batch handlers get raw jobs). */
export function payloadOf<K extends JobKind>(kind: K, job: Job): JobPayload<K> {
  return parsePayload(kind, job.payload);
}

/** Lock keys: jobs sharing one never run at the same time. */
export const lockKeys = {
  /** Everything about one grant's messages and state (DMs, comments, expiry). */
  grant: (grantId: string) => `grant:${grantId}`,
  /** Membership changes of one person in one target (adds and removals never interleave). */
  scimUser: (target: string, email: string) => `scim:${target}:${email}`,
  /** Prefix shared by every membership change in one target (one removal batch per target). */
  scimTarget: (target: string) => `scim:${target}:`,
} as const;

/** Dedupe keys: enqueuing twice with the same key is a no-op while the first job exists. */
export const dedupeKeys = {
  activate: (grantId: string) => `activate:${grantId}`,
  expire: (grantId: string) => `expire:${grantId}`,
  /** Per merge commit: a premature "merged" claim cannot use up the real merge's check. */
  checkMerge: (grantId: string, mergeSha: string | null | undefined) => `check_merge:${grantId}:${mergeSha ?? "unknown"}`,
  scimRemove: (grantId: string, target: string, group: string) => `scim_remove:${grantId}:${target}:${group}`,
  deliverCredential: (grantId: string) => `deliver_credential:${grantId}`,
  redactCredential: (grantId: string) => `redact_credential:${grantId}`,
} as const;
