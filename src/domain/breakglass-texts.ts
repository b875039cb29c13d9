/**
 * What a break-glass PR says: its title and body (who, what, why, for how long, what reviewers
 * must do, by when) and the comments grantbot posts on it. Pure, truncated to GitHub's limits.
 */
import { formatDuration } from "./durations.ts";
import { BREAKGLASS_LABEL } from "./breakglass.ts";
import { escapeInline, GITHUB_BODY_MAX, GITHUB_TITLE_MAX, REASON_DISPLAY_MAX, truncateText } from "./pr-body.ts";
import { GITHUB_COMMENT_LIMIT, truncate } from "./pr-texts.ts";

export interface BreakglassPrInput {
  grantId: string;
  resource: string;
  resourceDescription: string;
  subject: string;
  durationMs: number;
  reason: string;
  requestedAt: number;
  reviewWithinMs: number;
  /** Already formatted, e.g. `@acme/dba, @carol-gh`. */
  approvers: string;
  min: number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function breakglassPrTitle(input: Pick<BreakglassPrInput, "resource" | "subject" | "durationMs">): string {
  return truncateText(`🚨 Break-glass: ${input.resource} for ${input.subject} (${formatDuration(input.durationMs)})`.replace(/\s+/g, " "), GITHUB_TITLE_MAX);
}

export function breakglassPrBody(input: BreakglassPrInput): string {
  const reason = escapeInline(truncateText(input.reason, REASON_DISPLAY_MAX));
  const approvals = input.min === 1 ? "1 approval" : `${input.min} approvals`;
  const within = formatDuration(input.reviewWithinMs);
  const rows: Array<[string, string]> = [
    ["Who", `${escapeInline(input.subject)} (self-requested, emergency)`],
    ["What", `${code(input.resource)}${input.resourceDescription ? ` — ${escapeInline(input.resourceDescription)}` : ""}`],
    ["How long", `${formatDuration(input.durationMs)} from activation, which happened **at once, before any review**`],
    ["Why", reason],
    ["Requested at", iso(input.requestedAt)],
    ["Review within", `${within} of activation (the exact deadline is in grantbot's comment below)`],
    ["Grant", code(input.grantId)],
  ];
  const lines = [
    `## 🚨 Break-glass access: ${code(input.resource)} for ${escapeInline(input.subject)}`,
    "",
    "This access is **already active**: it was granted in an emergency without a prior review. This pull request is its after-the-fact review.",
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| **${k}** | ${v} |`),
    "",
    "### What reviewers must do",
    "",
    `- Check that the emergency and the reason are genuine (the incident, the ticket, what was done), then **approve the final commit and merge** within ${within} of activation.`,
    `- **Approvers:** ${input.approvers || "_(none configured)_"} — at least **${approvals}**, never the person who used the access, submitted before the merge; the same rules as any grant PR, with the policy as it was before the merge.`,
    "- **Merged with valid approvals** = reviewed. **Merged without them** does not count as the review. **Closed without merging** revokes the access at once if it is still live; the review is then still owed (reopen, approve and merge to record it).",
    `- Until it is reviewed past the deadline, operators and the person's manager are alerted daily and this person cannot use break-glass on ${code(input.resource)} again.`,
    "",
    `Do not edit the grant file: any change makes the merge not count. Label: \`${BREAKGLASS_LABEL}\`.`,
    "",
    `<!-- grantbot:grant-id=${input.grantId.replace(/[^A-Za-z0-9-]/g, "")} -->`,
  ];
  return truncateText(lines.join("\n"), GITHUB_BODY_MAX);
}

export function breakglassActiveComment(input: { activatedAt: number; expiresAt: number; reviewDeadline: number; groups: string[]; target: string; credential: boolean }): string {
  const lines = [
    `🚨 **Active since ${iso(input.activatedAt)} until ${iso(input.expiresAt)}**, without prior review (break-glass).`,
    "",
    `- Added to ${input.groups.map((g) => `\`${g}\``).join(", ")} in SCIM target \`${input.target}\` (membership read back and confirmed).`,
    input.credential ? "- A credential valid until the same second was sent to the person by DM." : "- No credential is issued for this resource.",
    `- **Review deadline: ${iso(input.reviewDeadline)}.** Approve and merge this PR by then.`,
    "",
    "grantbot removes the access at the expiry second; closing this PR unmerged removes it now.",
  ];
  return truncate(lines.join("\n"), GITHUB_COMMENT_LIMIT);
}

export function breakglassReviewedComment(input: { approvers: string[]; withinDeadline: boolean }): string {
  const when = input.withinDeadline ? "within the deadline" : "**after the deadline**";
  return truncate(`✅ **Reviewed** ${when}: approved by ${input.approvers.map((a) => `@${a}`).join(", ")}. The break-glass use is recorded as reviewed.`, GITHUB_COMMENT_LIMIT);
}

export function breakglassUnreviewedComment(message: string): string {
  return truncate(
    [`⚠️ **Merged, but this does NOT count as the review:** ${message}`, "", "The break-glass use stays unreviewed: operators and the person's manager are alerted once the deadline passes."].join("\n"),
    GITHUB_COMMENT_LIMIT,
  );
}

export function breakglassRejectedComment(input: { revoked: boolean }): string {
  const what = input.revoked
    ? "The access is being revoked now; a comment follows once the removal is verified by read-back."
    : "The access had already ended; nothing was left to revoke.";
  return truncate(
    [`⛔ **Closed without merging.** ${what}`, "", "The review of this break-glass use is still owed: reopen this PR, approve it and merge it to record it."].join("\n"),
    GITHUB_COMMENT_LIMIT,
  );
}

export function breakglassOverdueComment(input: { deadline: number; escalation: number }): string {
  const again = input.escalation > 1 ? ` (reminder ${input.escalation})` : "";
  return truncate(`⏰ **Review overdue${again}:** the deadline was ${iso(input.deadline)}. Operators and the person's manager have been alerted; approve and merge this PR to record the review.`, GITHUB_COMMENT_LIMIT);
}
