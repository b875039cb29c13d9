/** Slack texts of access reviews (issue 15): approvers' notices and a removed member's DM. Pure. */
import type { Note, OutboundMessage } from "../../../services/ports/index.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";

type ReviewNote = Extract<Note, { kind: "access_review" | "standing_removed" }>;

function message(text: string): OutboundMessage {
  return { text: clip(text, SLACK_LIMITS.messageText), blocks: [{ type: "section", text: { type: "mrkdwn", text: clip(text, SLACK_LIMITS.sectionText) } }] };
}

function link(url: string | null, label: string): string {
  return url ? `<${url}|${label}>` : label;
}

function names(emails: readonly string[]): string {
  const shown = emails.slice(0, 10).map(escapeMrkdwn).join(", ");
  return emails.length > 10 ? `${shown} and ${emails.length - 10} more` : shown;
}

export function renderReviewNote(note: ReviewNote): OutboundMessage {
  if (note.kind === "standing_removed") {
    const why = note.cause === "review" ? "an access review removed you from its standing members" : "its access review was not certified before the deadline";
    return message(`🔒 Your standing access to *${escapeMrkdwn(note.resource)}* was removed: ${why}${note.prUrl ? ` (${link(note.prUrl, "pull request")})` : ""}. Removal verified in the target. Need it again? Ask with \`/access ${escapeMrkdwn(note.resource)}\`.`);
  }
  const review = link(note.prUrl, "the review PR");
  const deadline = note.deadline ? ` by *${note.deadline}*` : "";
  const missed = note.onMissed === "revoke" ? "members not certified by then lose their access" : "a missed deadline is escalated to operators";
  const who = names(note.members);
  switch (note.event) {
    case "opened":
      return message(`🗂️ *Access review of ${escapeMrkdwn(note.resource)}*: ${note.members.length} standing member(s) to certify${deadline} — ${who}. Open ${review}: keep a member by leaving their line, remove one by deleting it, then approve and merge. If the deadline passes, ${missed}.`);
    case "reminder":
      return message(`⏳ Reminder: the *access review of ${escapeMrkdwn(note.resource)}* (${who}) is still open${deadline}. ${review}; if the deadline passes, ${missed}.`);
    case "overdue":
      return message(`⚠️ The *access review of ${escapeMrkdwn(note.resource)}* is overdue for ${who}. Please finish ${review}.`);
  }
}
