/**
 * What a user reads for each error code: a plain sentence plus the next step (CONVENTIONS §7).
 * Codes whose message is written for users (policy, durations, ids) show it; codes whose message
 * is technical (a remote system's answer, a stack) show a fixed sentence instead — the details
 * are in the log, never in Slack.
 */
import type { ErrorCode } from "../../../domain/errors.ts";

/** Codes whose AppError message is a sentence for the person who typed the command. */
const USER_MESSAGES: ReadonlySet<ErrorCode> = new Set([
  "bad_input",
  "bad_duration",
  "unknown_resource",
  "policy_denied",
  "approval_missing",
  "file_tampered",
  "pr_out_of_scope",
  "grant_not_found",
  "not_allowed",
  "invalid_transition",
  "unknown_person",
]);

/** The sentence shown instead of a technical message. */
const PLAIN: Record<ErrorCode, string> = {
  bad_input: "That input does not have the expected shape",
  bad_duration: "That duration is not allowed",
  unknown_resource: "That resource is not in the catalog",
  policy_denied: "The catalog's policy does not allow this request",
  approval_missing: "The pull request does not have enough approvals",
  file_tampered: "The grant file was changed after grantbot wrote it",
  pr_out_of_scope: "The pull request changed more than its grant file, or was merged into another branch",
  grant_not_found: "There is no grant with that id",
  not_allowed: "That grant is not yours",
  invalid_transition: "That grant is not in a state that allows this",
  unknown_person: "grantbot cannot tell who you are",
  target_unavailable: "GitHub, Slack or an access target did not answer",
  target_rejected: "GitHub, Slack or an access target refused the change",
  config_invalid: "grantbot is misconfigured",
  unauthorized: "That request could not be verified",
  internal: "Something went wrong inside grantbot",
};

/** The next step for each code. */
export const NEXT_STEP: Record<ErrorCode, string> = {
  bad_input: "Check the command and try again; `/access help` shows every form.",
  bad_duration: "Durations look like 90s, 30m, 4h or 1d; the request form shows each resource's maximum.",
  unknown_resource: "Pick one from the menu of `/access`, which lists every resource.",
  policy_denied: "If you think you should be allowed, ask the resource's owners.",
  approval_missing: "Ask an approver to review the pull request, then merge again with a new request.",
  file_tampered: "Open a new request with `/access`; never edit a grant file in its pull request.",
  pr_out_of_scope: "Open a new request with `/access`; change the catalog or people.yaml in a pull request of its own.",
  grant_not_found: "Check the id with `/access list`.",
  not_allowed: "Only the person who holds a grant can release or extend it.",
  invalid_transition: "Check its state with `/access list`.",
  unknown_person: "Ask the platform team to add you to grants/people.yaml or the directory.",
  target_unavailable: "grantbot keeps retrying and nothing is lost; if you started this, try again in a minute.",
  target_rejected: "The platform team has been told.",
  config_invalid: "The platform team has been told.",
  unauthorized: "Try again from Slack.",
  internal: "The platform team has been told.",
};

/** A message that already tells the user what to do ("…; ask for 4h or less") needs no second step. */
const HAS_NEXT_STEP = /;\s*(ask|use|try|pick|check|write)\b/i;

/** Ends the text with a full stop (the message keeps its own case: it may start with an id). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * One or two sentences for the user: what went wrong and what to do next, e.g.
 * "prod-db-readonly allows at most 4h; ask for 4h or less." for a `bad_duration`.
 */
export function userFacingError(code: ErrorCode, message: string): string {
  const shown = USER_MESSAGES.has(code) && message.trim() !== "" ? message : PLAIN[code];
  if (USER_MESSAGES.has(code) && HAS_NEXT_STEP.test(shown)) return sentence(shown);
  return `${sentence(shown)} ${NEXT_STEP[code]}`;
}
