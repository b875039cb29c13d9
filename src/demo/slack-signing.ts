/**
 * Builds requests exactly as Slack sends them to `POST /slack/events`, signed with the app's
 * signing secret (https://docs.slack.dev/authentication/verifying-requests-from-slack):
 * `x-slack-signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">`.
 *
 * Slash commands and interactivity arrive form-encoded (interactivity as one `payload=` JSON field);
 * Events API callbacks arrive as JSON.
 */
import { createHmac } from "node:crypto";

const FORM = "application/x-www-form-urlencoded";

/** Headers for a signed Slack request. `timestampSec` defaults to now (Bolt rejects > 5 minutes old). */
export function signSlackRequest(rawBody: string, signingSecret: string, timestampSec?: number): Record<string, string> {
  const ts = String(timestampSec ?? Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", signingSecret).update(`v0:${ts}:${rawBody}`).digest("hex");
  return {
    "content-type": rawBody.trimStart().startsWith("{") ? "application/json" : FORM,
    "x-slack-request-timestamp": ts,
    "x-slack-signature": `v0=${signature}`,
  };
}

export interface WorkspaceDefaults {
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
}

const TEAM = "T0FAKETEAM1";
const APP = "A0FAKEAPP01";
/** The legacy verification token field Slack still includes (Bolt ignores it). */
const VERIFICATION_TOKEN = "fake-verification-token";

export interface SlashCommandInput extends WorkspaceDefaults {
  text: string;
  userId: string;
  userName?: string;
  triggerId?: string;
  responseUrl: string;
  command?: string;
  channelId?: string;
  channelName?: string;
}

/** The form body of a slash command (default `/access`). */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: input.teamId ?? TEAM,
    team_domain: input.teamDomain ?? "fake-workspace",
    channel_id: input.channelId ?? "C0GENERAL01",
    channel_name: input.channelName ?? "general",
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? "/access",
    text: input.text,
    api_app_id: input.apiAppId ?? APP,
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
  }).toString();
}

/** One input's value in `view.state.values[blockId][actionId]`, as Slack reports it. */
export type ViewStateValue =
  | { type: "plain_text_input"; value: string | null }
  | { type: "static_select" | "external_select"; selected_option: { text: { type: "plain_text"; text: string }; value: string } | null }
  | { type: string; [key: string]: unknown };

/** Shorthands for the common state values. */
export const stateValue = {
  text: (value: string | null): ViewStateValue => ({ type: "plain_text_input", value }),
  select: (value: string | null, label = value ?? ""): ViewStateValue => ({
    type: "static_select",
    selected_option: value === null ? null : { text: { type: "plain_text", text: label }, value },
  }),
};

export interface ViewSubmissionInput extends WorkspaceDefaults {
  callbackId: string;
  userId: string;
  values: Record<string, Record<string, ViewStateValue>>;
  privateMetadata?: string;
  viewId?: string;
  triggerId?: string;
  /** For modals with `response_url_enabled` inputs. */
  responseUrls?: { block_id: string; action_id: string; channel_id: string; response_url: string }[];
}

/** The form body (`payload=<json>`) of a modal submission. */
export function viewSubmissionBody(input: ViewSubmissionInput): string {
  const team = input.teamId ?? TEAM;
  return formPayload({
    type: "view_submission",
    team: { id: team, domain: input.teamDomain ?? "fake-workspace" },
    user: { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: team },
    api_app_id: input.apiAppId ?? APP,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    view: {
      id: input.viewId ?? "V0FAKEVIEW1",
      team_id: team,
      type: "modal",
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? "",
      blocks: [],
      state: { values: input.values },
      hash: "1700000000.fakehash",
      title: { type: "plain_text", text: "grantbot" },
      app_id: input.apiAppId ?? APP,
      root_view_id: input.viewId ?? "V0FAKEVIEW1",
      previous_view_id: null,
    },
    response_urls: input.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

export interface BlockActionsInput extends WorkspaceDefaults {
  actionId: string;
  blockId?: string;
  value?: string;
  userId: string;
  triggerId?: string;
  responseUrl?: string;
  /** The message the button sits on (channel + ts + its text), when it is in a message. */
  message?: { channel: string; ts: string; text?: string; blocks?: unknown[] };
  /** The view the button sits on (e.g. the home tab). */
  view?: Record<string, unknown>;
}

/** The form body (`payload=<json>`) of a button click. */
export function blockActionsBody(input: BlockActionsInput): string {
  const team = input.teamId ?? TEAM;
  const action = {
    type: "button",
    action_id: input.actionId,
    block_id: input.blockId ?? "actions",
    text: { type: "plain_text", text: input.actionId },
    ...(input.value !== undefined ? { value: input.value } : {}),
    action_ts: `${Math.floor(Date.now() / 1000)}.000001`,
  };
  const m = input.message;
  return formPayload({
    type: "block_actions",
    team: { id: team, domain: input.teamDomain ?? "fake-workspace" },
    user: { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: team },
    api_app_id: input.apiAppId ?? APP,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    container: m
      ? { type: "message", message_ts: m.ts, channel_id: m.channel, is_ephemeral: false }
      : { type: "view", view_id: (input.view?.id as string | undefined) ?? "V0FAKEHOME1" },
    ...(m ? { channel: { id: m.channel, name: "directmessage" }, message: { type: "message", ts: m.ts, text: m.text ?? "", blocks: m.blocks ?? [] } } : {}),
    ...(input.view ? { view: input.view } : {}),
    ...(input.responseUrl ? { response_url: input.responseUrl } : {}),
    actions: [action],
    is_enterprise_install: false,
    enterprise: null,
  });
}

/** The JSON body of an Events API callback wrapping `event`. */
export function eventCallbackBody(event: Record<string, unknown>, opts: WorkspaceDefaults & { botUserId?: string; eventId?: string } = {}): string {
  const team = opts.teamId ?? TEAM;
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: team,
    api_app_id: opts.apiAppId ?? APP,
    event,
    type: "event_callback",
    event_id: opts.eventId ?? `Ev${Math.random().toString(36).slice(2).toUpperCase()}`,
    event_time: now,
    authorizations: [{ enterprise_id: null, team_id: team, user_id: opts.botUserId ?? "U0GRANTBOT1", is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

/** An `app_home_opened` event (the user opened grantbot's Home tab). */
export function appHomeOpenedEvent(userId: string, opts: { channel?: string; tab?: "home" | "messages" } = {}): Record<string, unknown> {
  return {
    type: "app_home_opened",
    user: userId,
    channel: opts.channel ?? `D${userId.replace(/^[UW]/, "")}`,
    tab: opts.tab ?? "home",
    event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
  };
}

/** Slack's one-time URL check when the Request URL is saved. */
export function urlVerificationBody(challenge: string): string {
  return JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: "url_verification" });
}

function formPayload(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The JSON body of an `app_home_opened` event callback. */
export function appHomeOpenedBody(userId: string, opts: WorkspaceDefaults & { botUserId?: string; tab?: "home" | "messages" } = {}): string {
  return eventCallbackBody(appHomeOpenedEvent(userId, { tab: opts.tab ?? "home" }), opts);
}

/** POSTs a correctly signed body to a Slack endpoint (e.g. `${base}/slack/events`). */
export function postSigned(url: string, rawBody: string, signingSecret: string, timestampSec?: number): Promise<Response> {
  return fetch(url, { method: "POST", headers: signSlackRequest(rawBody, signingSecret, timestampSec), body: rawBody });
}
