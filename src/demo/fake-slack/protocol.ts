/** Types shared by the fake's method handlers. */
import type { SlackState } from "./state.ts";

export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown> & { ok: boolean; error?: string };

export interface MethodContext {
  state: SlackState;
  now: number;
  botUserId: string;
  botId: string;
  teamId: string;
}

export type MethodHandler = (args: Args, ctx: MethodContext) => MethodResult;

/** Slack's error answer: HTTP 200, `ok: false`, an error code, and sometimes `response_metadata.messages`. */
export function fail(error: string, messages: string[] = []): MethodResult {
  return messages.length > 0 ? { ok: false, error, response_metadata: { messages } } : { ok: false, error };
}

/** Fields Slack accepts as JSON strings in form-encoded bodies. */
export const JSON_FIELDS = ["blocks", "attachments", "view", "metadata"] as const;
