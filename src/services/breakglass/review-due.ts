/**
 * Job `breakglass_review_due`: queued at activation for the review deadline itself (activation +
 * `review_within`), not found by a sweep. If the review is still owed then, it escalates — audit
 * `breakglass.review_overdue`, alerts to ops, the manager and the person, a PR comment — and
 * queues the next escalation a day later; a review (merged with valid approvals) stops the chain.
 * From the deadline on, the person cannot use break-glass on that resource until it is reviewed
 * (request-breakglass.ts asks the store, so that holds even before this job has run).
 */
import { ESCALATION_EVERY_MS, escalationAt } from "../../domain/breakglass.ts";
import { breakglassOverdueComment, iso } from "../../domain/breakglass-texts.ts";
import type { ServiceDeps } from "../deps.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { JOB } from "../jobs/kinds.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { queuePrComment } from "../messages/outbox.ts";
import { queueBreakglassNotices } from "./announce.ts";

export type BreakglassReviewDueHandlerDeps = Pick<ServiceDeps, "audit" | "breakglass" | "clock" | "grants" | "jobs" | "people" | "tx" | "wake">;

export function breakglassReviewDueHandler(deps: BreakglassReviewDueHandlerDeps): KindHandler<"breakglass_review_due"> {
  return {
    maxAttempts: null,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      const record = await deps.breakglass.get(payload.grantId);
      if (!grant || !record || record.reviewDeadline === null || record.status === "reviewed") return;
      const deadline = record.reviewDeadline;
      const now = deps.clock.now();
      const n = payload.n;
      await deps.tx.transaction(async () => {
        // Once per escalation, however often this job runs (a crash between commit and completion).
        if (!await deps.breakglass.recordEscalation(grant.id, n)) return;
        await deps.audit.append({ at: now, actor: "grantbot", action: "breakglass.review_overdue", grantId: grant.id, data: { deadline: iso(deadline), escalation: n + 1, status: record.status, pr: grant.prNumber } });
        const after = (await deps.breakglass.get(grant.id))!;
        await queueBreakglassNotices(deps, grant, after, "overdue", { tag: String(n) });
        await queuePrComment(deps, grant, `breakglass-overdue-${n}`, breakglassOverdueComment({ deadline, escalation: n + 1 }));
        // Daily, anchored at the deadline; after a long outage, the next such moment rather than a burst.
        const next = escalationAt(deadline, Math.floor(Math.max(0, now - deadline) / ESCALATION_EVERY_MS) + 1);
        await enqueue(deps.jobs, JOB.breakglassReviewDue, { grantId: grant.id, n: n + 1 }, { runAt: next, dedupeKey: `${JOB.breakglassReviewDue}:${grant.id}:${n + 1}`, maxAttempts: null });
      });
      deps.wake();
    },
  };
}
