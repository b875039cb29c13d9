/**
 * Everything grantbot listens to in Slack, in one place: the manifest (manifest.yml) must declare
 * exactly these, and test/unit/slack-manifest.test.ts checks both directions — against these
 * constants and against what registerSlackHandlers really registers on a Bolt App.
 */
import type { App } from "@slack/bolt";
import { ACCESS_COMMAND, registerAccessCommand } from "./access-command.ts";
import { APP_HOME_OPENED, registerAppHome } from "./app-home.ts";
import { registerGrantActions } from "./grant-actions.ts";
import type { SlackHandlerContext } from "./handler-context.ts";
import { registerRequestForm } from "./request-form.ts";
import { ACTIONS } from "./views/blocks.ts";
import { REQUEST_MODAL } from "./views/request-modal.ts";

export const SLACK_REGISTRATIONS = {
  /** Slash commands (manifest `features.slash_commands[].command`). */
  commands: [ACCESS_COMMAND],
  /** Events API bot events (manifest `settings.event_subscriptions.bot_events`). */
  events: [APP_HOME_OPENED],
  /** block_actions action_ids (need `settings.interactivity.is_enabled`). */
  actions: Object.values(ACTIONS),
  /** view_submission callback_ids (need interactivity too). */
  views: [REQUEST_MODAL.callbackId],
} as const;

/** The Web API methods grantbot calls, and the bot scope each needs (none for views.*). */
export const SLACK_METHOD_SCOPES: Readonly<Record<string, string | null>> = {
  /** The start-up check of SLACK_BOT_TOKEN (needs no scope). */
  "auth.test": null,
  "chat.postMessage": "chat:write",
  "chat.update": "chat:write",
  "conversations.open": "im:write",
  "users.info": "users:read",
  "users.lookupByEmail": "users:read.email",
  "views.open": null,
  "views.publish": null,
};

/** Bot scopes beyond the methods': `commands` for the slash command, `users:read.email` to see emails in users.info. */
export const EXTRA_BOT_SCOPES = ["commands", "users:read.email"] as const;

export function registerSlackHandlers(app: App, ctx: SlackHandlerContext): void {
  registerAccessCommand(app, ctx);
  registerRequestForm(app, ctx);
  registerGrantActions(app, ctx);
  registerAppHome(app, ctx);
}
