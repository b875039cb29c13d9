/**
 * Slack Web API failures as AppError, converted at the adapter boundary (shared by every Slack
 * adapter; the message never includes the token).
 */
import { AppError } from "../../domain/errors.ts";

/** Converts Web API failures to AppError at the boundary (never includes the token). */
export async function wrap<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string };
    const slackError = e.data?.error;
    const permanent = e.code === "slack_webapi_platform_error" && slackError !== undefined && !["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"].includes(slackError);
    const appError = new AppError(permanent ? "target_rejected" : "target_unavailable", `Slack ${method} failed: ${slackError ?? e.message ?? "unknown error"}`, { cause: err, retryable: !permanent });
    if (e.retryAfter) Object.assign(appError, { retryAfterMs: e.retryAfter * 1000 });
    throw appError;
  }
}
