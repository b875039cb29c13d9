/** The job kinds in the durable queue. Names are stored in SQLite: never rename one. */
export const JOB = {
  openPr: "open_pr",
  checkMerge: "check_merge",
  activate: "activate",
  expire: "expire",
  scimRemove: "scim_remove",
  notify: "notify",
  deliverCredential: "deliver_credential",
  redactCredential: "redact_credential",
  prComment: "pr_comment",
  closePr: "close_pr",
} as const;
export type JobKind = (typeof JOB)[keyof typeof JOB];
