/**
 * Pure builders for the comments grantbot posts on grant PRs. GitHub limits a comment body to
 * 65 536 characters; every builder truncates to that.
 */
export const GITHUB_COMMENT_LIMIT = 65_536;

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit - 1)}…`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function activationComment(input: { expiresAt: number; groups: string[]; target: string; approvers: string[]; credential: boolean }): string {
  const lines = [
    `✅ **Active until ${iso(input.expiresAt)}.**`,
    "",
    `- Added to ${input.groups.map((g) => `\`${g}\``).join(", ")} in SCIM target \`${input.target}\` (membership read back and confirmed).`,
    input.credential ? "- A credential valid until the same second was sent to the requester by DM." : "- No credential is issued for this resource.",
    `- Approved by ${input.approvers.map((a) => `@${a}`).join(", ") || "nobody"}.`,
    "",
    "grantbot removes the access at that second; this PR will get a comment when it does.",
  ];
  return truncate(lines.join("\n"), GITHUB_COMMENT_LIMIT);
}

/** `keptBy`: the membership stays because that other live grant of the subject still covers the group. */
/** `keptBy` of a membership kept because its holder is a catalog standing member of the group. */
export const KEPT_FOR_STANDING = "standing";

export function endComment(input: { reason: string; at: number; removed: { group: string; verified: boolean; note?: string; keptBy?: string }[] }): string {
  const headline: Record<string, string> = {
    expired: "⏱️ **Expired**",
    released: "🔓 **Released early by the subject**",
    revoked: "⛔ **Revoked**",
    leaver: "⛔ **Revoked: the person left**",
    ineligible: "⛔ **Revoked: no longer eligible**",
  };
  const lines = [`${headline[input.reason] ?? `**Ended (${input.reason})**`} at ${iso(input.at)}. The credential is no longer active.`];
  if (input.removed.length > 0) {
    lines.push("");
    for (const r of input.removed) {
      const outcome = r.keptBy === KEPT_FOR_STANDING ? "membership kept: a standing member (catalog `standing_members`)" : r.keptBy ? `membership kept: still covered by grant ${r.keptBy}` : r.verified ? "membership removed (verified)" : `NOT verified${r.note ? `: ${r.note}` : ""}`;
      lines.push(`- \`${r.group}\`: ${outcome}`);
    }
  }
  return truncate(lines.join("\n"), GITHUB_COMMENT_LIMIT);
}

export function rejectionComment(message: string): string {
  return truncate(
    [`❌ **Not activated.** ${message}`, "", "The merge did not grant access. Open a new request with `/access` once the rule above is met."].join("\n"),
    GITHUB_COMMENT_LIMIT,
  );
}

