/** Job handlers of the leavers, movers and drift feature (merged into handlers.ts). */
import type { ServiceDeps } from "../deps.ts";
import { expiryReminderHandler } from "../grants/expiry-reminders.ts";
import type { JobHandler } from "../jobs/runner.ts";
import { JOB } from "../jobs/kinds.ts";
import { offboardingNotifyHandler, offboardingReportHandler } from "./offboarding-jobs.ts";
import { opsNoticeHandler } from "../messages/ops-notice.ts";
import { reconcileAddHandler, reconcileRemoveHandler } from "../reconcile/reconcile-jobs.ts";
import { staleNoticeHandler } from "../grants/stale-requests.ts";
import { moverCheckHandler } from "./revoke-ineligible.ts";

export function leaversJobHandlers(deps: ServiceDeps): Record<string, JobHandler> {
  return {
    [JOB.offboardingReport]: offboardingReportHandler(deps),
    [JOB.offboardingNotify]: offboardingNotifyHandler(deps),
    [JOB.expiryReminder]: expiryReminderHandler(deps),
    [JOB.staleNotice]: staleNoticeHandler(deps),
    [JOB.reconcileAdd]: reconcileAddHandler(deps),
    [JOB.reconcileRemove]: reconcileRemoveHandler(deps),
    [JOB.opsNotice]: opsNoticeHandler(deps),
    [JOB.moverCheck]: moverCheckHandler(deps),
  };
}
