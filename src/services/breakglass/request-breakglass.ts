/**
 * Use case: `/access breakglass <resource> <duration> <reason…>` (or the form's Emergency
 * choice). Checks the resource's break-glass rules, then commits — in ONE transaction, before
 * anything external happens — the grant (already `approved`, its SCIM groups recorded, on branch
 * `breakglass/<id>`), its break-glass record, the activation job and the review-PR job. After a
 * crash at any later point both jobs are still there and both are idempotent, so access never
 * exists without its review PR being (re)tried, and no PR is ever opened for a grant grantbot
 * has not recorded.
 */
import { breakglassBranch, evaluateBreakglassRequest } from "../../domain/breakglass.ts";
import { formatDuration } from "../../domain/durations.ts";
import { AppError } from "../../domain/errors.ts";
import { LIVE_STATES, newGrant, type Grant } from "../../domain/grant.ts";
import { renderGrantFile } from "../../domain/grant-file-text.ts";
import { reasonProblem } from "../../domain/grant-files.ts";
import type { ServiceDeps } from "../deps.ts";
import { assertRequesterIsSlackUser } from "../grants/request-access.ts";
import { prPolicyOf } from "../grants/pr-policy.ts";
import { recordNewGrant } from "../grants/transitions.ts";
import { dedupeKeys, enqueue, lockKeys } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import { REQUEST_POLICY_MAX_AGE_MS } from "../policy/policy-provider.ts";
import { assertNotLeaver, groupsFor } from "../policy/people-groups.ts";

export interface BreakglassRequestInput {
  requesterEmail: string;
  requesterSlackId: string | null;
  resource: string;
  /** Omitted = the resource's `breakglass.max`. */
  duration?: string;
  reason: string;
}

export type RequestBreakglassDeps = Pick<ServiceDeps, "audit" | "breakglass" | "clock" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "people" | "policy" | "tx" | "wake">;

/** Files a break-glass grant; returns it (state `approved`, activating). Throws AppError with a sentence for the user. */
export async function requestBreakglass(deps: RequestBreakglassDeps, input: BreakglassRequestInput): Promise<Grant> {
  const requester = input.requesterEmail.trim().toLowerCase();
  // The cached catalog, as for any request: an emergency must not wait on GitHub.
  const { catalog, people } = await deps.policy.current({ maxAgeMs: REQUEST_POLICY_MAX_AGE_MS });
  if (input.requesterSlackId !== null) assertRequesterIsSlackUser(people, requester, input.requesterSlackId);
  const badReason = reasonProblem(input.reason);
  if (badReason !== null) throw new AppError("bad_input", badReason);
  await assertNotLeaver(deps, requester);
  const decision = evaluateBreakglassRequest({
    catalog,
    resource: input.resource,
    duration: input.duration,
    reason: input.reason,
    requester: { email: requester, groups: await groupsFor(deps, people, requester) },
  });
  if (!decision.ok) throw new AppError(decision.code, decision.message);

  const now = deps.clock.now();
  const id = deps.ids.next();
  const reason = input.reason.trim();
  const fileContent = renderGrantFile({
    id,
    resource: input.resource,
    subject: requester,
    requester,
    duration: formatDuration(decision.durationMs),
    reason,
    requested_at: new Date(Math.floor(now / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    emergency: true,
  });
  const access = { target: decision.resource.scim.target, groups: [...decision.resource.scim.groups] };
  const grant = newGrant({
    id,
    resource: input.resource,
    subject: requester,
    requester,
    requesterSlackId: input.requesterSlackId,
    durationMs: decision.durationMs,
    reason,
    requestedAt: now,
    fileContent,
    branch: breakglassBranch(id),
    // No review before access: approved by the catalog's break-glass rule, activated at once.
    state: "approved",
    approvedAt: now,
    access,
  });

  await deps.tx.transaction(async () => {
    // Checked inside the transaction that records the grant: two requests at once cannot both pass.
    await assertMayBreakGlass(deps, requester, input.resource, now);
    await recordNewGrant(deps, grant);
    await deps.breakglass.insert({ grantId: id, resource: grant.resource, subject: requester, reviewWithinMs: decision.policy.reviewWithinMs, channels: decision.policy.channels, createdAt: now });
    await enqueue(deps.jobs, JOB.activate, { grantId: id }, { dedupeKey: dedupeKeys.activate(id), lockKey: lockKeys.scimUser(access.target, requester), maxAttempts: null });
    // Retried until GitHub takes it (operators alerted meanwhile): the access is already there.
    await enqueue(deps.jobs, JOB.openBreakglassPr, { grantId: id, policy: prPolicyOf(decision.resource) }, { dedupeKey: `${JOB.openBreakglassPr}:${id}`, maxAttempts: null });
    await deps.audit.append({
      at: now,
      actor: requester,
      action: "grant.requested",
      grantId: id,
      data: { resource: grant.resource, subject: requester, duration: formatDuration(grant.durationMs), reason, emergency: true },
    });
  });
  deps.metrics.requestFiled(grant.resource);
  deps.wake();
  return grant;
}

export type AssertMayBreakGlassDeps = Pick<ServiceDeps, "breakglass" | "grants">;

/**
 * One live emergency grant per person and resource; and none while this person has a break-glass
 * grant on this resource whose review is overdue. Throws `policy_denied` naming the grant.
 */
export async function assertMayBreakGlass(deps: AssertMayBreakGlassDeps, subject: string, resource: string, now: number): Promise<void> {
  let live: Grant | undefined;
  for (const g of await deps.grants.listBySubject(subject, LIVE_STATES)) {
    if (g.resource === resource && (await deps.breakglass.get(g.id)) !== null) {
      live = g;
      break;
    }
  }
  if (live) {
    const until = live.expiresAt === null ? "being activated" : `until ${new Date(live.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z")}`;
    throw new AppError("policy_denied", `you already have a live break-glass grant on ${resource} (\`${live.id}\`, ${until}); one at a time. Release it first if you need a new one`);
  }
  const overdue = (await deps.breakglass.overdue(subject, resource, now))[0];
  if (overdue) {
    const pr = (await deps.grants.get(overdue.grantId))?.prUrl;
    throw new AppError(
      "policy_denied",
      `break-glass on ${resource} is blocked for you: your earlier break-glass grant \`${overdue.grantId}\` was due for review by ${new Date(overdue.reviewDeadline!).toISOString().replace(/\.\d{3}Z$/, "Z")} and is not reviewed${pr ? ` (${pr})` : ""}. Ask its approvers to approve and merge that PR, or request access the normal way`,
    );
  }
}
