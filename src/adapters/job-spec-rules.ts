/**
 * What both job queues (SQLite and PostgreSQL) check or shorten before a job touches the database,
 * kept in one place so the two back ends cannot drift apart.
 */
import { AppError } from "../domain/errors.ts";
import type { JobSpec } from "../services/ports/index.ts";

/** last_error is for operators; a stack trace or an HTML error page is cut to this length. */
export const MAX_ERROR_LENGTH = 2000;

/** Throws `bad_input` unless the spec's maxAttempts is a positive integer or null/absent. */
export function checkMaxAttempts(spec: JobSpec): void {
  if (spec.maxAttempts != null && !(Number.isInteger(spec.maxAttempts) && spec.maxAttempts > 0)) {
    throw new AppError("bad_input", `maxAttempts must be a positive integer, got ${spec.maxAttempts}`);
  }
}

/** An error message cut to MAX_ERROR_LENGTH, saying so. */
export function truncateError(text: string): string {
  if (text.length <= MAX_ERROR_LENGTH) return text;
  const marker = "… (truncated)";
  return text.slice(0, MAX_ERROR_LENGTH - marker.length) + marker;
}
