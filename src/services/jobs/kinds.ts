/** The job kinds in the durable queue. Names are stored in SQLite: never rename one. */
export const JOB = {
  openPr: "open_pr",
  checkMerge: "check_merge",
  /** A webhook said a grant PR closed unmerged: read the PR before declining (pull-request-events.ts). */
  confirmClose: "confirm_close",
  activate: "activate",
  expire: "expire",
  scimRemove: "scim_remove",
  notify: "notify",
  deliverCredential: "deliver_credential",
  redactCredential: "redact_credential",
  prComment: "pr_comment",
  closePr: "close_pr",
  // Leavers, movers and drift
  offboardingReport: "offboarding_report",
  offboardingNotify: "offboarding_notify",
  expiryReminder: "expiry_reminder",
  staleNotice: "stale_request_notice",
  reconcileAdd: "reconcile_add",
  reconcileRemove: "reconcile_remove",
  opsNotice: "ops_notice",
  moverCheck: "mover_check",
  /** Slack experience (issue 5): re-render a request card, re-read a PR's reviews, re-publish a Home tab. */
  refreshCard: "refresh_card",
  checkReviews: "check_reviews",
  refreshHome: "refresh_home",
} as const;
export type JobKind = (typeof JOB)[keyof typeof JOB];
