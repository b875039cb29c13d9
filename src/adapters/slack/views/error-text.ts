/** What a user reads for each error code: a plain sentence plus the next step (CONVENTIONS §7). */
import type { ErrorCode } from "../../../domain/errors.ts";

const NEXT_STEP: Record<ErrorCode, string> = {
  bad_input: "Check the command and try again; `/access help` shows every form.",
  bad_duration: "Ask for a duration the resource allows.",
  unknown_resource: "Pick a resource from `/access` (the menu lists them all).",
  policy_denied: "If you think you should be allowed, ask the resource's owners.",
  approval_missing: "Ask an approver to review the pull request, then merge again with a new request.",
  file_tampered: "Open a new request with `/access`; never edit a grant file in its pull request.",
  grant_not_found: "Check the id with `/access list`.",
  not_allowed: "Only the person who holds a grant can release or extend it.",
  invalid_transition: "Check its state with `/access list`.",
  unknown_person: "Ask the platform team to add you to grants/people.yaml or the directory.",
  target_unavailable: "grantbot keeps retrying; nothing is lost. Try again in a minute if you started this.",
  target_rejected: "The platform team has been told.",
  config_invalid: "The platform team has been told.",
  unauthorized: "Try again from Slack.",
  internal: "Something went wrong inside grantbot; the platform team has been told.",
};

export function userFacingError(code: ErrorCode, message: string): string {
  return `${message.replace(/\.?$/, ".")} ${NEXT_STEP[code]}`;
}
