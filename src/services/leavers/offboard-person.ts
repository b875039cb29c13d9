/**
 * Use case: a person left (the directory deactivated or deleted them, or the HR/IdP push said
 * so). In one transaction: every live grant revoked with reason `leaver` through endGrant
 * (credentials inactive at once, one verified SCIM removal job per membership, queued
 * activations revoked), every pending request for them or filed by them cancelled and its PR
 * closed with a comment, live grants of service identities the leaver owned recorded as orphaned,
 * an offboarding case opened, each step audited, and the first `offboarding_report` check queued;
 * standing memberships are removed by a `standing_leaver` job.
 * The report job sends the manager's confirmation once every removal is verified.
 */
import { CAUSE_WORDS, type LeaverCause } from "../../domain/offboarding.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { LIVE_STATES, PENDING_STATES } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import { cancelRequest } from "../grants/cancel-request.ts";
import { endGrant } from "../grants/end-grant.ts";
import { JOB } from "../jobs/kinds.ts";

export interface LeaverInput {
  email: string;
  cause: LeaverCause;
  source: "poll" | "push" | "cli";
  /** When the directory says it happened (push `at`), for the audit log. */
  at?: number;
  /** First time grantbot hears of this person: stay silent when there is nothing to do. */
  firstSight?: boolean;
}

export interface OffboardResult {
  /** null when there was nothing to revoke, cancel or report. */
  caseId: string | null;
  revoked: string[];
  cancelled: string[];
  orphans: string[];
}

export type OffboardPersonDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "offboarding" | "tx" | "wake">;

export async function offboardPerson(deps: OffboardPersonDeps, input: LeaverInput): Promise<OffboardResult> {
  const { offboarding } = deps;
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const why = `${email} ${CAUSE_WORDS[input.cause]}`;
  let result: OffboardResult = { caseId: null, revoked: [], cancelled: [], orphans: [] };

  await deps.tx.transaction(async () => {
    // Standing memberships (issue 15): removed at once, verified, and their catalog lines deleted
    // by PR — a job, since it reads the catalog (reviews/leaver-standing.ts).
    await enqueue(deps.jobs, JOB.standingLeaver, { email }, { dedupeKey: `${JOB.standingLeaver}:${email}:${now}`, maxAttempts: 20 });
    const live = await deps.grants.listBySubject(email, LIVE_STATES);
    const open = await deps.grants.listByState([...PENDING_STATES, ...LIVE_STATES], 100_000);
    // Requests for them or filed by them that nobody approved yet: cancelled.
    const pending = open.filter((g) => PENDING_STATES.includes(g.state) && (g.subject === email || g.requester === email));
    // Live access of service identities they owned: reported, not revoked (it may be load-bearing).
    const owned = open.filter((g) => LIVE_STATES.includes(g.state) && g.owner === email && g.subject !== email);
    const openCase = await offboarding.openFor(email);
    if (!openCase && live.length === 0 && pending.length === 0 && owned.length === 0) {
      if (!input.firstSight) {
        await deps.audit.append({ at: now, actor: "grantbot", action: "directory.leaver", data: { email, cause: input.cause, source: input.source, outcome: "nothing to revoke" } });
      }
      return;
    }
    const caseId = openCase?.id ?? deps.ids.next();
    const revoked: string[] = [];
    for (const g of live) if (await endGrant(deps, g.id, "leaver", "grantbot", why)) revoked.push(g.id);
    const cancelled: string[] = [];
    for (const g of pending) {
      const done = await cancelRequest(deps, g, {
        actor: "grantbot",
        action: "grant.cancelled_leaver",
        reason: `cancelled: ${why}`,
        comment: `🚪 **Closed by grantbot:** ${why}, so this request was cancelled. Nothing was granted.`,
      });
      if (done) cancelled.push(g.id);
    }
    const orphans = owned.map((g) => g.id);

    if (openCase) {
      await offboarding.update(openCase.id, {
        revoked: [...new Set([...openCase.revoked, ...revoked])],
        cancelled: [...new Set([...openCase.cancelled, ...cancelled])],
        orphans: [...new Set([...openCase.orphans, ...orphans])],
      });
    } else {
      await offboarding.insert({ id: caseId, email, source: input.source, cause: input.cause, startedAt: now, revoked, cancelled, orphans, pendingNoticeAt: null, completedAt: null });
      await enqueue(deps.jobs, JOB.offboardingReport, { caseId, check: 0 }, { dedupeKey: `${JOB.offboardingReport}:${caseId}:0`, maxAttempts: 20 });
    }
    await deps.audit.append({
      at: now,
      actor: "grantbot",
      action: "offboarding.started",
      data: { caseId, email, cause: input.cause, source: input.source, reportedAt: input.at ? new Date(input.at).toISOString() : undefined, revoked, cancelled, orphans, merged: Boolean(openCase) },
    });
    for (const id of orphans) {
      await deps.audit.append({ at: now, actor: "grantbot", action: "offboarding.orphaned", grantId: id, data: { caseId, owner: email } });
    }
    result = { caseId, revoked, cancelled, orphans };
  });
  deps.wake();
  return result;
}
