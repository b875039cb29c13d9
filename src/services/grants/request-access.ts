/**
 * Use case: an engineer asks for access. Validates against the catalog, records the request
 * and queues the pull request; the caller (Slack) has already acknowledged the command.
 */
import { AppError } from "../../domain/errors.ts";
import { recordNewGrant } from "./transitions.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { formatDuration } from "../../domain/durations.ts";
import { newGrant, type Grant } from "../../domain/grant.ts";
import { renderGrantFile } from "../../domain/grant-file-text.ts";
import { reasonProblem, type People } from "../../domain/grant-files.ts";
import { evaluateRequest, resolvePersonByEmail, resolvePersonBySlack } from "../../domain/policy.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import { REQUEST_POLICY_MAX_AGE_MS } from "../policy/policy-provider.ts";
import { assertNotLeaver, groupsFor } from "../policy/people-groups.ts";
import { prPolicyOf } from "./pr-policy.ts";

export interface AccessRequestInput {
  requesterEmail: string;
  requesterSlackId: string | null;
  resource: string;
  /** Omitted = the resource's default duration. */
  duration?: string;
  reason: string;
  /** Who gets access; defaults to the requester. */
  subject?: string;
  /** The grant this request extends (same subject and resource, still live). */
  extends?: string;
  /** For a service identity subject: the person who owns it (reported as orphaned when they leave). */
  owner?: string;
}

/**
 * The requester is who Slack says. Slack gives a user id; the email comes from that user's profile,
 * which is not proof of identity (an alias, a second account, a profile edited to someone else's
 * address). When people.yaml pairs an email with a Slack id, only that Slack user acts as that
 * email; and a Slack user people.yaml lists acts only as the email listed for them. Otherwise a
 * second account could file requests as someone else and then approve them as itself.
 * Throws `unknown_person` with a sentence and a next step; a person without a `slack` id in
 * people.yaml is not checked (nothing to compare with).
 */
export function assertRequesterIsSlackUser(people: People, email: string, slackId: string): void {
  const byEmail = resolvePersonByEmail(people, email);
  if (byEmail?.slack !== undefined && byEmail.slack.toUpperCase() !== slackId.toUpperCase()) {
    throw new AppError("unknown_person", "grants/people.yaml gives your email address to another Slack account; ask the platform team to fix it if the address is yours");
  }
  const bySlack = resolvePersonBySlack(people, slackId);
  if (bySlack !== null && bySlack.email.toLowerCase() !== email.trim().toLowerCase()) {
    throw new AppError("unknown_person", "grants/people.yaml lists your Slack account with another email than your Slack profile shows; ask the platform team to fix one of them");
  }
}

export type RequestAccessDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "people" | "policy" | "tx" | "wake">;

export async function requestAccess(deps: RequestAccessDeps, input: AccessRequestInput): Promise<Grant> {
  const requester = input.requesterEmail.trim().toLowerCase();
  const subject = (input.subject ?? requester).trim().toLowerCase();
  // A cached catalog will do (see REQUEST_POLICY_MAX_AGE_MS): the merge check reads it fresh.
  const { catalog, people } = await deps.policy.current({ maxAgeMs: REQUEST_POLICY_MAX_AGE_MS });
  if (input.requesterSlackId !== null) assertRequesterIsSlackUser(people, requester, input.requesterSlackId);
  const badReason = reasonProblem(input.reason);
  if (badReason !== null) throw new AppError("bad_input", badReason);
  await assertNotLeaver(deps, requester);
  if (subject !== requester) await assertNotLeaver(deps, subject);
  const groups = await groupsFor(deps, people, requester);
  const owner = input.owner?.trim().toLowerCase() || undefined;
  const decision = evaluateRequest({
    catalog,
    resource: input.resource,
    duration: input.duration,
    reason: input.reason,
    requester: { email: requester, groups },
  });
  if (!decision.ok) throw new AppError(decision.code, decision.message);

  if (input.extends !== undefined) {
    const base = await deps.grants.get(input.extends);
    if (!base) throw new AppError("grant_not_found", `no grant ${input.extends}`);
    if (base.subject !== subject || base.resource !== input.resource) {
      throw new AppError("not_allowed", `grant ${base.id} belongs to another person or resource`);
    }
  }

  const now = deps.clock.now();
  const id = deps.ids.next();
  const requestedAt = new Date(Math.floor(now / 1000) * 1000).toISOString().replace(".000Z", "Z");
  const fileContent = renderGrantFile({
    id,
    resource: input.resource,
    subject,
    requester,
    duration: formatDuration(decision.durationMs),
    reason: input.reason.trim(),
    requested_at: requestedAt,
    ...(input.extends === undefined ? {} : { extends: input.extends }),
    ...(owner === undefined ? {} : { owner }),
  });
  const grant: Grant = newGrant({
    id,
    resource: input.resource,
    subject,
    requester,
    requesterSlackId: input.requesterSlackId,
    durationMs: decision.durationMs,
    reason: input.reason.trim(),
    requestedAt: now,
    extends: input.extends ?? null,
    fileContent,
    owner: owner ?? null,
  });

  await deps.tx.transaction(async () => {
    await recordNewGrant(deps, grant);
    await enqueue(deps.jobs, JOB.openPr, { grantId: id, policy: prPolicyOf(decision.resource) }, { dedupeKey: `${JOB.openPr}:${id}`, maxAttempts: 8 });
    await deps.audit.append({
      at: now,
      actor: requester,
      action: "grant.requested",
      grantId: id,
      data: { resource: grant.resource, subject, duration: formatDuration(grant.durationMs), reason: grant.reason },
    });
  });
  deps.metrics.requestFiled(grant.resource);
  deps.wake();
  return grant;
}
