/**
 * A handler for one job kind, with the kind's payload type. `typed()` turns it into the runner's
 * plain JobHandler: the payload is parsed against the kind's schema before the handler sees it, so
 * a malformed payload fails the job once, clearly (`bad_input`, not retried), instead of a
 * handler running on `undefined`.
 */
import { AppError } from "../../domain/errors.ts";
import { parsePayload, type JobKind, type JobPayload } from "./kinds.ts";
import type { JobContext, JobHandler } from "./runner.ts";

export type KindHandler<K extends JobKind> = Omit<JobHandler, "run" | "onDead" | "onAlert"> & {
  run(payload: JobPayload<K>, ctx: JobContext): Promise<void>;
  onDead?(payload: JobPayload<K>, error: string): Promise<void> | void;
  onAlert?(payload: JobPayload<K>, error: string, attempts: number): Promise<void> | void;
};

export function typed<K extends JobKind>(kind: K, handler: KindHandler<K>): JobHandler {
  const parse = (payload: Record<string, unknown>): JobPayload<K> => {
    try {
      return parsePayload(kind, payload);
    } catch (err) {
      throw new AppError("bad_input", (err as Error).message, { retryable: false });
    }
  };
  const tryParse = (payload: Record<string, unknown>): JobPayload<K> | null => {
    try {
      return parsePayload(kind, payload);
    } catch {
      return null;
    }
  };
  return {
    ...handler,
    run: (payload, ctx) => handler.run(parse(payload), ctx),
    onDead: handler.onDead
      ? (payload, error) => {
          const p = tryParse(payload);
          return p ? handler.onDead!(p, error) : undefined;
        }
      : undefined,
    onAlert: handler.onAlert
      ? (payload, error, attempts) => {
          const p = tryParse(payload);
          return p ? handler.onAlert!(p, error, attempts) : undefined;
        }
      : undefined,
  };
}
