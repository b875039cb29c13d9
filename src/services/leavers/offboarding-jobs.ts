/**
 * Durable jobs of an offboarding case.
 *
 * `offboarding_report` re-checks the case until every removal is verified (each check queues the
 * next one, so a crash or restart resumes the chain): then the case is completed and the
 * confirmation queued. When that takes longer than `offboardingPendingAfterMs`, a "pending"
 * notice naming what is still being retried is queued first (once).
 *
 * `offboarding_notify` sends one phase: the manager's DM first, then the ops summary (which says
 * whether the manager could be told).
 */
import { isFullyVerified, unverifiedGroups } from "../../domain/offboarding.ts";
import { enqueue } from "../jobs/enqueue.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import { buildReport } from "./offboarding-report.ts";

export const DEFAULT_PENDING_AFTER_MS = 120_000;

/** Delay before re-check number `check`: quick at first, then every few seconds. */
export function recheckDelay(check: number): number {
  if (check < 20) return 250;
  if (check < 60) return 1_000;
  return 5_000;
}

type QueueNotifyDeps = Pick<ServiceDeps, "jobs">;

async function queueNotify(deps: QueueNotifyDeps, caseId: string, phase: "final" | "pending", audience: "manager" | "ops", managerOutcome?: string): Promise<void> {
  await enqueue(deps.jobs, JOB.offboardingNotify, { caseId, phase, audience, ...(managerOutcome === undefined ? {} : { managerOutcome }) }, { dedupeKey: `${JOB.offboardingNotify}:${caseId}:${phase}:${audience}`, maxAttempts: 20 });
}

export type OffboardingReportHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "jobs" | "notifier" | "offboarding" | "people" | "settings" | "tx" | "wake">;

export function offboardingReportHandler(deps: OffboardingReportHandlerDeps): KindHandler<"offboarding_report"> {
  return {
    maxAttempts: 20,
    async onDead(payload, error) {
      await deps.notifier.ops({ kind: "ops_alert", title: "Offboarding confirmation failed", detail: `Checking offboarding case ${payload.caseId} failed for good: ${error}. The revocations themselves continue; the manager was not sent a confirmation.` });
    },
    async run(payload) {
      const { offboarding } = deps;
      const caseId = payload.caseId;
      const check = payload.check;
      const c = await offboarding.get(caseId);
      if (!c || c.completedAt !== null) return;
      const report = await buildReport(deps, c);
      const now = deps.clock.now();
      const pendingAfter = deps.settings.offboardingPendingAfterMs ?? DEFAULT_PENDING_AFTER_MS;
      await deps.tx.transaction(async () => {
        if (isFullyVerified(report)) {
          if (!await offboarding.update(caseId, { completedAt: now })) return;
          await deps.audit.append({
            at: now,
            actor: "grantbot",
            action: "offboarding.completed",
            data: { caseId, email: c.email, tookMs: now - c.startedAt, grants: report.grants.map((g) => ({ grantId: g.grantId, groups: g.groups.map((r) => `${r.target}/${r.group}: ${r.note}`) })) },
          });
          await queueNotify(deps, caseId, "final", "manager");
          return;
        }
        let noticeSent = c.pendingNoticeAt !== null;
        if (!noticeSent && now >= c.startedAt + pendingAfter) {
          await offboarding.update(caseId, { pendingNoticeAt: now });
          await deps.audit.append({ at: now, actor: "grantbot", action: "offboarding.pending", data: { caseId, email: c.email, unverified: unverifiedGroups(report).map((r) => `${r.target}/${r.group}: ${r.note}`) } });
          await queueNotify(deps, caseId, "pending", "manager");
          noticeSent = true;
        }
        let runAt = now + recheckDelay(check + 1);
        if (!noticeSent) runAt = Math.min(runAt, c.startedAt + pendingAfter);
        await enqueue(deps.jobs, JOB.offboardingReport, { caseId, check: check + 1 }, { runAt, dedupeKey: `${JOB.offboardingReport}:${caseId}:${check + 1}`, maxAttempts: 20 });
      });
      deps.wake();
    },
  };
}

export type OffboardingNotifyHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "jobs" | "notifier" | "offboarding" | "people" | "tx" | "wake">;

export function offboardingNotifyHandler(deps: OffboardingNotifyHandlerDeps): KindHandler<"offboarding_notify"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const { offboarding } = deps;
      const caseId = payload.caseId;
      const phase = payload.phase === "pending" ? "pending" : "final";
      const c = await offboarding.get(caseId);
      if (!c) return;
      const report = await buildReport(deps, c);
      if (payload.audience === "manager") {
        let outcome: string;
        if (report.manager && !report.managerProblem) {
          const ref = await deps.notifier.send({ email: report.manager }, { kind: "offboarding", phase, audience: "manager", report });
          outcome = ref ? "sent" : `their manager ${report.manager} has no Slack user`;
        } else {
          outcome = report.managerProblem ?? "unknown manager";
        }
        await deps.tx.transaction(async () => {
          await deps.audit.append({ at: deps.clock.now(), actor: "grantbot", action: `offboarding.${phase}_manager`, data: { caseId, manager: report.manager, outcome } });
          await queueNotify(deps, caseId, phase, "ops", outcome);
        });
        deps.wake();
        return;
      }
      const outcome = payload.managerOutcome ?? "";
      const forOps = { ...report, managerProblem: outcome === "sent" ? null : outcome || report.managerProblem };
      await deps.notifier.ops({ kind: "offboarding", phase, audience: "ops", report: forOps });
    },
  };
}
