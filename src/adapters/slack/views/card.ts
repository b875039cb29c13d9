/**
 * The live request card (pure): who asked for what, for how long and why, the PR, the approvals
 * so far and who gave them, and the current state — for an ended request, that it ended and why.
 * The top-level `text` is a complete one-line summary (notifications, screen readers, the demo).
 */
import { formatDuration } from "../../../domain/durations.ts";
import type { Grant } from "../../../domain/grant.ts";
import type { OutboundMessage } from "../../../services/ports/index.ts";
import type { CardModel, Reviewer } from "../../../services/ports/slack.ts";
import { actions, context, fields, header, personText, prLink, pullRequestButton, section, slackDate, type Block } from "./blocks.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";

/** Longest reason shown on a card (the grant file allows 1000; the PR has it all). */
export const CARD_REASON_MAX = 500;

function names(reviewers: readonly Reviewer[], rich: boolean): string {
  return reviewers.map((r) => (rich ? personText(r.slackId, r.login) : r.login)).join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function iso(ms: number | null): string {
  return ms === null ? "?" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Why a grant ended, in words ("expired", "revoked: the person left"). */
export function endWords(grant: Grant): string {
  const reason = grant.endReason ?? grant.state;
  if (reason.startsWith("leaver")) return "revoked because the person left";
  if (reason.startsWith("ineligible")) return "revoked because the person is no longer eligible";
  if (grant.state === "expired") return "expired";
  if (grant.state === "released") return "released early by its holder";
  return reason === "revoked" ? "revoked by an operator" : `revoked (${reason})`;
}

/** The state line; `rich` = mrkdwn with Slack dates, else plain text with ISO times. */
export function cardStatus(card: CardModel, rich: boolean): string {
  const g = card.grant;
  const date = rich ? slackDate : iso;
  const esc = rich ? escapeMrkdwn : (s: string) => s;
  const approvals = card.approvedBy.length;
  const continued = card.continuedBy
    ? `; access continues under extension \`${card.continuedBy.id}\`${card.continuedBy.expiresAt ? ` until ${date(card.continuedBy.expiresAt)}` : ""}`
    : "";
  switch (g.state) {
    case "requested":
      return "⏳ Opening the pull request";
    case "pr_open": {
      const changes = card.changesRequestedBy.length > 0 ? `; changes requested by ${names(card.changesRequestedBy, rich)}` : "";
      return `🟡 Waiting for review: ${approvals} of ${plural(card.required, "approval")}${changes}`;
    }
    case "approved":
      return "🔵 Merged and approved; activating";
    case "active":
      return `🟢 Active until ${date(g.expiresAt)}${continued}`;
    case "expired":
    case "released":
    case "revoked":
      return `${g.state === "revoked" ? "⛔" : "⚪"} Ended at ${date(g.endedAt)}: ${esc(endWords(g))}${continued || "; access revoked"}`;
    case "declined":
      return "🚫 Declined: the pull request was closed without merging";
    case "rejected":
      return `❌ Merged but not activated: ${esc(g.endReason ?? "a check failed")}`;
    case "cancelled":
      return `⚠️ Cancelled: ${esc(g.endReason ?? "the request was withdrawn")}`;
  }
}

function approvalsField(card: CardModel): string {
  const who = card.approvedBy.length > 0 ? ` — ${names(card.approvedBy, true)}` : "";
  return `*Approvals*\n${card.approvedBy.length} of ${card.required}${who}`;
}

export function renderCard(card: CardModel): OutboundMessage {
  const g = card.grant;
  const requester = personText(card.requesterSlackId, g.requester);
  const reason = g.reason.trim() === "" ? "_none given_" : escapeMrkdwn(clip(g.reason, CARD_REASON_MAX));
  const blocks: Block[] = [
    header(`Access request: ${g.resource}`),
    section(`*${cardStatus(card, true)}*`),
    fields([
      `*Requester*\n${requester}`,
      ...(g.subject !== g.requester ? [`*For*\n${personText(card.subjectSlackId, g.subject)}`] : []),
      `*Resource*\n${escapeMrkdwn(g.resource)}`,
      `*Duration*\n${formatDuration(g.durationMs)}`,
      approvalsField(card),
      `*Pull request*\n${prLink(g)}`,
    ]),
    section(`*Reason*\n${reason}`),
    context(`Grant \`${g.id}\`${g.extends ? ` · extends \`${g.extends}\`` : ""} · card updated ${slackDate(card.now)}`),
  ];
  const pr = pullRequestButton(g);
  if (pr && (g.state === "pr_open" || g.state === "requested")) blocks.push(actions([pr], `card:${g.id}`));
  const approvedBy = card.approvedBy.length > 0 ? ` · approved by ${names(card.approvedBy, false)}` : "";
  const text = `Access request ${g.resource} for ${g.subject} (${formatDuration(g.durationMs)}): ${cardStatus(card, false)}${approvedBy}`;
  return { text: clip(text, SLACK_LIMITS.messageText), blocks: blocks.slice(0, SLACK_LIMITS.messageBlocks) };
}
