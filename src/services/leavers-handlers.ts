/** Job handlers of the leavers, movers and drift feature (merged into handlers.ts). */
import type { ServiceDeps } from "./deps.ts";
import { expiryReminderHandler } from "./expiry-reminders.ts";
import type { JobHandler } from "./job-runner.ts";
import { JOB } from "./job-kinds.ts";
import { offboardingNotifyHandler, offboardingReportHandler } from "./offboarding-jobs.ts";
import { opsNoticeHandler } from "./ops-notice.ts";
import { reconcileAddHandler, reconcileRemoveHandler } from "./reconcile-jobs.ts";
import { staleNoticeHandler } from "./stale-requests.ts";
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
