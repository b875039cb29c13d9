/**
 * The break-glass messages (services/ports Note `breakglass`): the activation alert naming who,
 * what, why, until when and the review PR; the overdue escalation; a PR closed unmerged or merged
 * without valid approvals; a late review. Worded for each audience (ops and channels, the
 * manager, the person). Pure.
 */
import { formatDuration } from "../../../domain/durations.ts";
import type { Note, OutboundMessage } from "../../../services/ports/index.ts";
import { context, section, slackDate } from "./blocks.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";

type BreakglassNote = Extract<Note, { kind: "breakglass" }>;

function prText(note: BreakglassNote): string {
  const g = note.grant;
  return g.prUrl ? `<${g.prUrl}|PR #${g.prNumber}>` : `the review PR (not open yet: GitHub has not taken it; grantbot keeps trying, branch \`${escapeMrkdwn(g.branch)}\`)`;
}

function facts(note: BreakglassNote): string {
  const g = note.grant;
  const until = g.expiresAt === null ? `for ${formatDuration(g.durationMs)}` : `until ${slackDate(g.expiresAt)}`;
  return [
    `*Who:* ${escapeMrkdwn(g.subject)}`,
    `*What:* *${escapeMrkdwn(g.resource)}* ${until} (grant \`${g.id}\`)`,
    `*Why:* ${escapeMrkdwn(g.reason)}`,
    `*Review:* ${prText(note)}${note.record.reviewDeadline === null ? "" : `, to be approved and merged by ${slackDate(note.record.reviewDeadline)}`}`,
  ].join("\n");
}

function message(headline: string, body: string, footer?: string): OutboundMessage {
  const text = clip(`${headline}\n${body}`, SLACK_LIMITS.messageText);
  return { text, blocks: [section(headline), section(body), ...(footer ? [context(footer)] : [])] };
}

export function renderBreakglassNote(note: BreakglassNote): OutboundMessage {
  const g = note.grant;
  const who = escapeMrkdwn(g.subject);
  const what = `*${escapeMrkdwn(g.resource)}*`;
  switch (note.event) {
    case "activated":
    case "activated_no_pr":
      if (note.audience === "requester") {
        return message(`🚨 Your break-glass access to ${what} is active, without prior review.`, facts(note), "Ask the resource's approvers to approve and merge the review PR before the deadline; until it is reviewed after the deadline you cannot use break-glass on this resource again.");
      }
      return message(
        `🚨 *Break-glass:* ${who} took emergency access to ${what}${note.audience === "manager" ? " (you are their manager)" : ""}.`,
        facts(note),
        "Active at once, reviewed after the fact: approvers must approve and merge the PR by the deadline. Closing the PR without merging revokes the access now.",
      );
    case "overdue": {
      const n = note.record.escalations;
      const state = note.record.status === "rejected" ? " Its PR was closed without merging." : note.record.status === "unreviewed_merge" ? " Its PR was merged without valid approvals." : "";
      const head = note.audience === "requester"
        ? `⏰ The review of your break-glass use of ${what} is overdue${n > 1 ? ` (reminder ${n})` : ""}. Until it is reviewed you cannot use break-glass on ${what}.`
        : `⏰ *Break-glass review overdue${n > 1 ? ` (reminder ${n})` : ""}:* ${who}'s emergency access to ${what} was not reviewed in time.${state} They cannot use break-glass on it until it is.`;
      return message(head, facts(note), "Approvers: approve and merge the PR (with valid approvals) to record the review. This alert repeats daily until then.");
    }
    case "rejected_pr":
      return message(
        `⛔ *Break-glass PR closed without merging:* ${who}'s access to ${what} ${g.state === "revoked" && g.endReason?.includes("break-glass PR closed") ? "is being revoked now (removal verified by read-back)" : `had already ended (${escapeMrkdwn(g.state)})`}.`,
        facts(note),
        "The review is still owed: reopen the PR, approve it and merge it to record it.",
      );
    case "unreviewed_merge":
      return message(`⚠️ *Break-glass PR merged without valid approvals:* ${who}'s use of ${what} is still *not reviewed*.`, facts(note), "See grantbot's comment on the PR for what was missing.");
    case "reviewed":
      return message(`✅ *Break-glass reviewed:* ${who}'s use of ${what} is now reviewed (approved by ${note.record.approvers.map(escapeMrkdwn).join(", ") || "?"}).`, facts(note));
  }
}
