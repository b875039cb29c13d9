/** The ephemeral reply to `/access list` (pure): the Home tab's content as a message. */
import { describeRemaining } from "../../../domain/durations.ts";
import type { OutboundMessage } from "../../../services/ports/index.ts";
import type { HomeModel } from "../../../services/ports/slack.ts";
import { context } from "./blocks.ts";
import { fitGroups, liveGrantBlocks, pendingBlock, usageText } from "./grant-list.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";

/** Plain-text fallback: one line per grant, ids included, so it reads fine without blocks. */
function plainLines(home: HomeModel): string[] {
  const live = home.live.map((g) => {
    const left = g.state === "active" && g.expiresAt !== null ? `${describeRemaining(g.expiresAt - home.now)} left` : "being activated";
    const used = usageText(home.usage?.[g.id], home.now);
    return `• *${escapeMrkdwn(g.resource)}* \`${g.id}\` — ${left}${g.extends ? ` (extends \`${g.extends}\`)` : ""}${used ? ` — ${used}` : ""}`;
  });
  const pending = home.pending.map((p) => {
    const g = p.grant;
    const pr = g.prUrl ? ` (<${g.prUrl}|PR #${g.prNumber}>)` : "";
    return `• *${escapeMrkdwn(g.resource)}* \`${g.id}\` — waiting for review${pr}, approvals ${p.approvedBy.length} of ${p.required}`;
  });
  return [...live, ...pending];
}

export function listReply(home: HomeModel): OutboundMessage {
  if (home.live.length === 0 && home.pending.length === 0) {
    const text = "You have no live grants or pending requests. Ask for one with `/access` (a form) or `/access <resource> <duration> <reason…>`.";
    return { text, blocks: [context(text)] };
  }
  const blocks = fitGroups(
    [],
    [
      { title: `*Live grants* (${home.live.length})`, items: home.live.map((g) => liveGrantBlocks(g, home.now, home.usage?.[g.id])), empty: "No live grants." },
      { title: `*Pending requests* (${home.pending.length})`, items: home.pending.map((p) => [pendingBlock(p)]), empty: "Nothing waiting for review." },
    ],
    [context("The grantbot Home tab shows the same, kept up to date.")],
    SLACK_LIMITS.messageBlocks,
    "(open the grantbot Home tab)",
  );
  return { text: clip(plainLines(home).join("\n"), SLACK_LIMITS.messageText), blocks };
}
