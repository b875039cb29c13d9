/** Renders grantbot's notes (services/ports.ts `Note`) as Slack messages. Pure. */
import { describeRemaining, formatDuration } from "../../../domain/durations.ts";
import type { Grant } from "../../../domain/grant.ts";
import type { Note, OutboundMessage } from "../../../services/ports/index.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";
import { renderExpiryReminder, renderOffboarding, renderRequestStale } from "./leaver-notes.ts";
import { renderReviewNote } from "./review-notes.ts";
import { grantButtons } from "./blocks.ts";
import { renderBreakglassNote } from "./breakglass-notes.ts";
import { isEmergencyGrant } from "../../../domain/breakglass.ts";

const REASON_WORDS: Record<string, string> = {
  expired: "expired",
  released: "was released",
  revoked: "was revoked",
  leaver: "was revoked because the person left",
  ineligible: "was revoked because you are no longer eligible",
};

function ts(ms: number | null): string {
  if (ms === null) return "?";
  const seconds = Math.floor(ms / 1000);
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `<!date^${seconds}^{date_short_pretty} {time_secs}|${iso}>`;
}

function prLink(grant: Grant): string {
  return grant.prUrl ? `<${grant.prUrl}|PR #${grant.prNumber}>` : "its pull request";
}

function section(text: string): Record<string, unknown> {
  return { type: "section", text: { type: "mrkdwn", text: clip(text, SLACK_LIMITS.sectionText) } };
}

function message(text: string, extra: Record<string, unknown>[] = []): OutboundMessage {
  return { text: clip(text, SLACK_LIMITS.messageText), blocks: [section(text), ...extra].slice(0, SLACK_LIMITS.messageBlocks) };
}

export function renderNote(note: Note, now: number): OutboundMessage {
  const g = "grant" in note ? note.grant : null;
  const what = g ? `*${escapeMrkdwn(g.resource)}* for ${formatDuration(g.durationMs)}` : "";
  switch (note.kind) {
    case "request_opened":
      if (note.grant.extends) {
        return message(`📝 Your request for ${what} (an extension of \`${note.grant.extends}\`) is open as ${prLink(note.grant)}. Once it is approved and merged your access continues without a gap.`);
      }
      return message(`📝 Your request for ${what} is open as ${prLink(note.grant)}. Access starts when an approver approves it and it is merged.`);
    case "request_failed":
      return message(`⚠️ Your request for ${what} could not be opened: ${escapeMrkdwn(note.message)} Nothing was granted; try \`/access\` again later.`);
    case "declined":
      return message(`🚫 Your request for ${what} was declined: ${prLink(note.grant)} was closed without merging.`);
    case "rejected":
      return message(`❌ Your request for ${what} (${prLink(note.grant)}, grant \`${note.grant.id}\`) was merged but *not activated*: ${escapeMrkdwn(note.message)}`);
    case "active": {
      const until = ts(note.grant.expiresAt);
      const left = describeRemaining((note.grant.expiresAt ?? now) - now);
      const approvers = isEmergencyGrant(note.grant)
        ? ` 🚨 Break-glass: active without prior review; ${prLink(note.grant)} must be approved and merged in time.`
        : note.grant.approvedBy.length > 0 ? ` Approved by ${note.grant.approvedBy.map(escapeMrkdwn).join(", ")}.` : "";
      const head = `✅ *${escapeMrkdwn(note.grant.resource)}* is active until ${until} (${left} left). Grant \`${note.grant.id}\`.${approvers}`;
      // Extend / Release right here; the redaction at the end replaces the blocks, buttons included.
      if (!note.token) return message(head, [grantButtons(note.grant)]);
      const body = `${head}\n\`\`\`${note.token}\`\`\`\nUse it as a bearer token for *${escapeMrkdwn(note.audience ?? "")}*: \`Authorization: Bearer <token>\`. It stops working at the same second.`;
      return message(body, [grantButtons(note.grant)]);
    }
    case "ended": {
      const words = REASON_WORDS[note.reason] ?? `ended (${note.reason})`;
      const next = note.continuedBy;
      if (next) {
        return message(`⏹️ Grant \`${note.grant.id}\` for ${what} ${words} at ${ts(note.grant.endedAt)}; its credential is inactive. Your access continues without a gap under \`${next.id}\`${next.expiresAt ? ` until ${ts(next.expiresAt)}` : ""}, so the group membership was kept.`);
      }
      return message(`⏹️ Your access to ${what} ${words} at ${ts(note.grant.endedAt)}. Group membership removed and verified; the credential is inactive.`);
    }
    case "ops_alert":
      return message(`🚨 *${escapeMrkdwn(note.title)}*\n${escapeMrkdwn(note.detail)}`);
    case "offboarding":
      return renderOffboarding(note.report, note.phase, note.audience);
    case "expiry_reminder": {
      // The reminder's text plus one-click Extend (a prefilled extension form) and Release.
      const reminder = renderExpiryReminder(note.grant, now);
      return { ...reminder, blocks: [...(reminder.blocks ?? []), grantButtons(note.grant)].slice(0, SLACK_LIMITS.messageBlocks) };
    }
    case "review": {
      const approved = note.approvedBy.length > 0 ? ` Approved by ${note.approvedBy.map(escapeMrkdwn).join(", ")}.` : "";
      const changes = note.changesRequestedBy.length > 0 ? ` Changes requested by ${note.changesRequestedBy.map(escapeMrkdwn).join(", ")}.` : "";
      const ready = note.approvedBy.length >= note.required ? " It has enough approvals; access starts when it is merged." : "";
      return message(`👀 Review on your request for ${what} (${prLink(note.grant)}): ${note.approvedBy.length} of ${note.required} approval${note.required === 1 ? "" : "s"}.${approved}${changes}${ready}`);
    }
    case "request_stale":
      return renderRequestStale(note.grant, note.ageMs);
    case "access_review":
    case "standing_removed":
      return renderReviewNote(note);
    case "breakglass":
      return renderBreakglassNote(note);
  }
}

/** The credential DM once the grant has ended: same facts, no token. */
export function redactedCredential(grant: Grant): OutboundMessage {
  const words = REASON_WORDS[grant.state] ?? grant.state;
  return message(`~${escapeMrkdwn(grant.resource)} credential~ — removed: this grant ${words} at ${ts(grant.endedAt)}. Grant \`${grant.id}\`.`);
}
