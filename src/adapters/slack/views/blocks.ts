/**
 * Small pure Block Kit builders shared by the views, each clipping its text to the named Slack
 * limit, plus the ids of every interactive element grantbot renders (the listeners in
 * ../registrations.ts and the manifest test use the same constants).
 */
import type { Grant } from "../../../domain/grant.ts";
import { isEmergencyGrant } from "../../../domain/breakglass.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";

/** action_id of each button grantbot renders. Stored in Slack messages: never rename one. */
export const ACTIONS = {
  /** End one of my grants now (value = grant id). */
  release: "grant_release",
  /** Open the prefilled extension form for one of my grants (value = grant id). */
  extend: "grant_extend",
  /** Open the request form (Home tab). */
  requestAccess: "request_access",
  /** A link button to the grant's pull request; Slack still sends a block_actions, which we ack. */
  openPullRequest: "open_pull_request",
} as const;

export type Block = Record<string, unknown>;

export function section(text: string, accessory?: Block): Block {
  return { type: "section", text: { type: "mrkdwn", text: clip(text, SLACK_LIMITS.sectionText) }, ...(accessory ? { accessory } : {}) };
}

export function fields(texts: readonly string[]): Block {
  return {
    type: "section",
    fields: texts.slice(0, SLACK_LIMITS.sectionFields).map((t) => ({ type: "mrkdwn", text: clip(t, SLACK_LIMITS.sectionFieldText) })),
  };
}

export function header(text: string): Block {
  return { type: "header", text: { type: "plain_text", text: clip(text, SLACK_LIMITS.headerText), emoji: true } };
}

export function context(text: string): Block {
  return { type: "context", elements: [{ type: "mrkdwn", text: clip(text, SLACK_LIMITS.contextText) }] };
}

export function divider(): Block {
  return { type: "divider" };
}

export function actions(elements: Block[], blockId?: string): Block {
  return { type: "actions", ...(blockId ? { block_id: clip(blockId, SLACK_LIMITS.blockId) } : {}), elements: elements.slice(0, SLACK_LIMITS.actionsElements) };
}

export function button(input: { actionId: string; text: string; value?: string; url?: string; style?: "primary" | "danger"; confirm?: Block }): Block {
  return {
    type: "button",
    action_id: input.actionId,
    text: { type: "plain_text", text: clip(input.text, SLACK_LIMITS.buttonText), emoji: true },
    ...(input.value !== undefined ? { value: clip(input.value, SLACK_LIMITS.buttonValue) } : {}),
    ...(input.url ? { url: input.url } : {}),
    ...(input.style ? { style: input.style } : {}),
    ...(input.confirm ? { confirm: input.confirm } : {}),
  };
}

function confirm(title: string, text: string, yes: string): Block {
  return {
    title: { type: "plain_text", text: clip(title, SLACK_LIMITS.confirmTitle) },
    text: { type: "mrkdwn", text: clip(text, SLACK_LIMITS.confirmText) },
    confirm: { type: "plain_text", text: clip(yes, SLACK_LIMITS.confirmButton) },
    deny: { type: "plain_text", text: "Keep it" },
    style: "danger",
  };
}

export function releaseButton(grant: Grant): Block {
  return button({
    actionId: ACTIONS.release,
    text: "Release now",
    value: grant.id,
    style: "danger",
    confirm: confirm(`Release ${grant.resource}?`, `Your access to *${escapeMrkdwn(grant.resource)}* ends now: the group membership is removed and the credential stops working.`, "Release"),
  });
}

export function extendButton(grant: Grant): Block {
  return button({ actionId: ACTIONS.extend, text: "Extend…", value: grant.id });
}

/** The Extend + Release buttons of a live grant. */
export function grantButtons(grant: Grant): Block {
  // A break-glass grant is not extended (a normal request can follow): Release only.
  return actions(isEmergencyGrant(grant) ? [releaseButton(grant)] : [extendButton(grant), releaseButton(grant)], `grant:${grant.id}`);
}

export function pullRequestButton(grant: Grant): Block | null {
  if (!grant.prUrl) return null;
  return button({ actionId: ACTIONS.openPullRequest, text: `Open PR #${grant.prNumber ?? ""}`.trim(), url: grant.prUrl, value: grant.id });
}

export function requestAccessButton(): Block {
  return button({ actionId: ACTIONS.requestAccess, text: "Request access", style: "primary", value: "home" });
}

/** `<!date^…>`: Slack shows it in the reader's time zone; other clients see the ISO fallback. */
export function slackDate(ms: number | null): string {
  if (ms === null) return "?";
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

export function prLink(grant: Grant): string {
  return grant.prUrl ? `<${grant.prUrl}|PR #${grant.prNumber}>` : "its pull request (not open yet)";
}

/** `<@U…> (login)` when the Slack id is known, else the plain name. */
export function personText(slackId: string | null, name: string): string {
  return slackId ? `<@${slackId}> (${escapeMrkdwn(name)})` : escapeMrkdwn(name);
}
