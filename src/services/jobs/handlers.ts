/**
 * Every job kind's handler, registered in one place. The table is typed by kind: the compiler
 * refuses a kind without a handler, or a handler written for another kind's payload.
 */
import type { ServiceDeps } from "../deps.ts";
import type { SlackExperience } from "../ports/slack.ts";
import { activateHandler } from "../grants/activate-grant.ts";
import { checkMergeHandler } from "../grants/check-merge.ts";
import { expireHandler } from "../grants/end-grant.ts";
import { expiryReminderHandler } from "../grants/expiry-reminders.ts";
import { openPullRequestHandler } from "../grants/open-pull-request.ts";
import { confirmCloseHandler } from "../grants/pull-request-events.ts";
import { removeMembershipHandler } from "../grants/remove-membership.ts";
import { checkReviewsHandler } from "../grants/review-check.ts";
import { staleNoticeHandler } from "../grants/stale-requests.ts";
import { offboardingNotifyHandler, offboardingReportHandler } from "../leavers/offboarding-jobs.ts";
import { moverCheckHandler } from "../leavers/revoke-ineligible.ts";
import { closePrHandler, deliverCredentialHandler, notifyHandler, prCommentHandler, redactCredentialHandler } from "../messages/message-jobs.ts";
import { opsNoticeHandler } from "../messages/ops-notice.ts";
import { reconcileAddHandler, reconcileRemoveHandler } from "../reconcile/reconcile-jobs.ts";
import { refreshHomeHandler } from "../surfaces/home-tab.ts";
import { refreshCardHandler } from "../surfaces/request-card.ts";
import { reviewOpenHandler } from "../reviews/open-review.ts";
import { reviewPrCheckHandler } from "../reviews/review-pr-check.ts";
import { reviewNotifyHandler } from "../reviews/notify.ts";
import { standingRemoveHandler } from "../reviews/remove-standing.ts";
import { standingLeaverHandler } from "../reviews/leaver-standing.ts";
import { openBreakglassPrHandler } from "../breakglass/open-review-pr.ts";
import { breakglassNoticeHandler } from "../breakglass/notices.ts";
import { breakglassPrCheckHandler } from "../breakglass/pr-outcome.ts";
import { breakglassReviewDueHandler } from "../breakglass/review-due.ts";
import type { JobKind } from "./kinds.ts";
import type { JobHandler } from "./runner.ts";
import { typed, type KindHandler } from "./typed-handler.ts";

export type JobHandlersDeps = Pick<ServiceDeps, "log" | "audit" | "breakglass" | "changes" | "clock" | "credentials" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "notifier" | "offboarding" | "people" | "policy" | "reviews" | "settings" | "signer" | "targets" | "tx" | "usage" | "wake">;

/** `slack` null (tools and tests without Slack): the three Slack surface kinds have no handler. */
export function jobHandlers(deps: JobHandlersDeps, slack: SlackExperience | null): Partial<Record<JobKind, JobHandler>> {
  const surfaces = slack
    ? { refresh_card: refreshCardHandler(deps, slack), check_reviews: checkReviewsHandler(deps, slack), refresh_home: refreshHomeHandler(deps, slack) }
    : null;
  const table: { [K in JobKind]: KindHandler<K> | null } = {
    open_pr: openPullRequestHandler(deps),
    check_merge: checkMergeHandler(deps),
    confirm_close: confirmCloseHandler(deps),
    activate: activateHandler(deps),
    expire: expireHandler(deps),
    scim_remove: removeMembershipHandler(deps),
    notify: notifyHandler(deps),
    deliver_credential: deliverCredentialHandler(deps),
    redact_credential: redactCredentialHandler(deps),
    pr_comment: prCommentHandler(deps),
    close_pr: closePrHandler(deps),
    offboarding_report: offboardingReportHandler(deps),
    offboarding_notify: offboardingNotifyHandler(deps),
    expiry_reminder: expiryReminderHandler(deps),
    stale_request_notice: staleNoticeHandler(deps),
    reconcile_add: reconcileAddHandler(deps),
    reconcile_remove: reconcileRemoveHandler(deps),
    ops_notice: opsNoticeHandler(deps),
    mover_check: moverCheckHandler(deps),
    refresh_card: surfaces?.refresh_card ?? null,
    check_reviews: surfaces?.check_reviews ?? null,
    refresh_home: surfaces?.refresh_home ?? null,
    review_open: reviewOpenHandler(deps),
    review_pr_check: reviewPrCheckHandler(deps),
    review_notify: reviewNotifyHandler(deps),
    standing_remove: standingRemoveHandler(deps),
    standing_leaver: standingLeaverHandler(deps),
    open_breakglass_pr: openBreakglassPrHandler(deps),
    breakglass_notice: breakglassNoticeHandler(deps),
    breakglass_pr_check: breakglassPrCheckHandler(deps),
    breakglass_review_due: breakglassReviewDueHandler(deps),
  };
  const out: Partial<Record<JobKind, JobHandler>> = {};
  for (const kind of Object.keys(table) as JobKind[]) {
    const handler = table[kind] as KindHandler<typeof kind> | null;
    if (handler) out[kind] = typed(kind, handler);
  }
  return out;
}
