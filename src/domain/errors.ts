/**
 * The closed set of error codes grantbot reports. Each has one line of documentation; users see
 * a sentence built from the code (see adapters/slack/views), operators see `cause` in the log.
 */
export const ERROR_CODES = {
  bad_input: "The input (slash text, modal, file, payload) does not have the expected shape.",
  bad_duration: "A duration could not be parsed or is outside the resource's limits.",
  unknown_resource: "The resource is not in grants/catalog.yaml.",
  policy_denied: "The catalog's policy does not allow this request (eligibility, reason, duration).",
  approval_missing: "The merged PR lacks enough attributable approvals on its final commit.",
  file_tampered: "The merged grant file differs from the one grantbot committed.",
  pr_out_of_scope: "The merged PR targeted another branch than GITHUB_BASE_BRANCH or changed files besides its own grant file.",
  grant_not_found: "No grant with that id exists.",
  not_allowed: "The caller may not act on this grant (only its subject may release or extend it).",
  invalid_transition: "The grant is not in a state that allows this action.",
  unknown_person: "The person cannot be resolved to an email, Slack user or directory entry.",
  target_unavailable: "A SCIM target, GitHub or Slack did not answer or answered with an error.",
  target_rejected: "A remote system refused the change (4xx other than rate limiting).",
  config_invalid: "The environment or GRANTBOT_CONFIG is invalid.",
  unauthorized: "A signature or bearer token is missing or wrong.",
  internal: "An unexpected failure inside grantbot.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? code === "target_unavailable";
  }
  /** True when repeating the same call later may succeed (outages, rate limits). */
  readonly retryable: boolean;
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping the original as `cause`. */
export function toAppError(value: unknown, code: ErrorCode = "internal"): AppError {
  if (value instanceof AppError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError(code, message, { cause: value });
}
