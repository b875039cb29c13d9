/**
 * Pure builders of the access-review PR (issue 15) and of the PR that removes standing members
 * after a missed deadline or a leaver: title, body with each member's evidence for the reviewers,
 * and the comments grantbot posts. Truncated to GitHub's limits.
 */
import { escapeInline, GITHUB_BODY_MAX, GITHUB_TITLE_MAX, truncateText } from "./pr-body.ts";
import { utcMinute, type UsageHistory } from "./usage.ts";

export interface DirectoryEvidence {
  /** false: grantbot has no directory record of the person. */
  known: boolean;
  active: boolean;
  /** Deleted from the directory (kept record). */
  removed: boolean;
  manager: string | null;
  groups: string[] | null;
}

export interface MemberEvidence {
  email: string;
  status: "due" | "overdue";
  /** The review date that applies now (null: never reviewed). */
  effective: string | null;
  /** The date this PR writes. */
  proposed: string;
  directory: DirectoryEvidence;
  /** Whether the member still satisfies the resource's `eligible` rule; null = the resource has none. */
  eligible: boolean | null;
  /** When grantbot first saw the member in the catalog (epoch ms), or null. */
  standingSince: number | null;
  /** The last certification of this member: when, and in which PR. */
  lastCertified: { at: number; pr: number | null } | null;
  /** Use in the target as its profile reports it, or why unknown. */
  targetUse: string;
  /** Their grants of this resource (JIT access on top of the standing membership), last 90 days. */
  grants: UsageHistory;
}

export interface ReviewPrInput {
  reviewId: string;
  resource: string;
  description: string;
  /** `@acme/dba, @carol-gh` */
  approvers: string;
  min: number;
  policy: { every: string; notice: string; on_missed: "revoke" | "keep" };
  members: MemberEvidence[];
  /** The earliest deadline among the members (YYYY-MM-DD), or null. */
  deadline: string | null;
  now: number;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function directoryText(d: DirectoryEvidence): string {
  if (!d.known) return "not in grantbot's directory snapshot (no directory configured, or never seen)";
  const state = d.removed ? "**deleted from the directory**" : d.active ? "active" : "**inactive**";
  const manager = d.manager ? `manager ${escapeInline(d.manager)}` : "manager unknown";
  const groups = d.groups === null ? "groups unknown" : d.groups.length === 0 ? "no groups" : `groups ${d.groups.map(escapeInline).join(", ")}`;
  return `${state}; ${manager}; ${groups}`;
}

function eligibleText(e: boolean | null): string {
  if (e === null) return "anyone may hold it (no `eligible` rule)";
  return e ? "yes" : "**no — not in any eligible group any more**";
}

function grantsText(h: UsageHistory): string {
  if (h.grants === 0) return "none in the last 90 days";
  const use = h.withCredential === 0 ? "use unknown (no credential)" : `${h.used} used (${h.uses} credential checks${h.lastUse ? `, last ${utcMinute(h.lastUse)}` : ""}), ${h.neverUsed} never used`;
  return `${h.grants} in the last 90 days: ${use}`;
}

export function memberSection(m: MemberEvidence): string[] {
  const since = m.standingSince === null ? "unknown" : `at least since ${day(m.standingSince)} (first seen by grantbot)`;
  const certified = m.lastCertified === null ? "never by grantbot" : `${day(m.lastCertified.at)}${m.lastCertified.pr ? ` (#${m.lastCertified.pr})` : ""}`;
  const when = m.effective === null ? "never reviewed" : `${m.status === "overdue" ? "**overdue** since" : "due"} ${m.effective}`;
  return [
    `#### ${escapeInline(m.email)} — ${when}`,
    "",
    `- **Directory:** ${directoryText(m.directory)}`,
    `- **Still eligible:** ${eligibleText(m.eligible)}`,
    `- **Standing:** ${since}; last certified ${certified}`,
    `- **Use in the target:** ${escapeInline(m.targetUse)}`,
    `- **Grants of this resource:** ${grantsText(m.grants)}`,
    `- **If kept:** next review ${m.proposed}`,
    "",
  ];
}

export function renderReviewTitle(resource: string, count: number): string {
  return truncateText(`Access review: ${resource} (${count} standing member${count === 1 ? "" : "s"})`, GITHUB_TITLE_MAX);
}

export function renderReviewBody(input: ReviewPrInput): string {
  const approvals = input.min === 1 ? "1 approval" : `${input.min} approvals`;
  const missed = input.policy.on_missed === "revoke" ? "overdue members are **removed** from the groups and a PR deleting their lines is opened" : "overdue members **keep** their access and operators are alerted";
  const lines = [
    `## Access review: \`${input.resource}\``,
    "",
    input.description ? `${escapeInline(input.description)}\n` : "",
    `These standing members are due for review${input.deadline ? ` (deadline ${input.deadline})` : ""}. This PR moves each one's \`review_after\` forward by one period (${input.policy.every}).`,
    "",
    "**Reviewers:** keep a member by leaving their line; **remove** one by deleting their line in this PR (edit `grants/catalog.yaml` on this branch). " +
      `Then approve the final commit and merge: that certifies the review. Approvers: ${input.approvers || "_(none configured)_"}, at least **${approvals}**; ` +
      "a member's own approval never counts on a review that lists them.",
    "",
    `grantbot checks the merge like a grant: the policy is read from before the merge, and the change may only move these members' review dates (by at most ${input.policy.every}) and delete standing members of \`${input.resource}\`. Anything else rejects the review. Deleted members are removed from the target (verified) and told. If the deadline passes without a merged review, ${missed}.`,
    "",
    "### Members",
    "",
    ...input.members.flatMap(memberSection),
    `<!-- grantbot:review-id=${input.reviewId.replace(/[^A-Za-z0-9-]/g, "")} -->`,
  ];
  return truncateText(lines.join("\n"), GITHUB_BODY_MAX);
}

export interface RemovalPrInput {
  resource: string;
  cause: "missed" | "leaver";
  emails: string[];
  /** For `missed`: the deadline that passed. */
  deadline?: string | null;
  reviewId: string;
}

export function renderRemovalTitle(input: RemovalPrInput): string {
  const who = input.emails.length === 1 ? input.emails[0]! : `${input.emails.length} standing members`;
  return truncateText(`Remove ${who} from ${input.resource} (${input.cause === "missed" ? "review deadline missed" : "left the company"})`, GITHUB_TITLE_MAX);
}

export function renderRemovalBody(input: RemovalPrInput): string {
  const why =
    input.cause === "missed"
      ? `Their access review${input.deadline ? ` was due by ${input.deadline}` : ""} was not certified in time, and \`${input.resource}\` says \`on_missed: revoke\`.`
      : "The directory says they left the company.";
  const lines = [
    `## Remove standing members of \`${input.resource}\``,
    "",
    why,
    "grantbot has already removed their membership from the target (verified by reading it back) and no longer counts them as desired; this PR brings the catalog in line.",
    "",
    ...input.emails.map((e) => `- ${escapeInline(e)}`),
    "",
    "Merge it to record the removal in the catalog. To keep someone instead, close this PR and certify them in an access review (or re-add them through the usual catalog review).",
    "",
    `<!-- grantbot:review-id=${input.reviewId.replace(/[^A-Za-z0-9-]/g, "")} -->`,
  ];
  return truncateText(lines.join("\n"), GITHUB_BODY_MAX);
}

export function certifiedComment(kept: readonly { email: string; to: string | null; moved: boolean }[], removed: readonly string[], approvers: readonly string[]): string {
  const keptLines = kept.map((k) => `- ${escapeInline(k.email)}: kept${k.moved ? `, next review ${k.to}` : " (date not moved: still due)"}`);
  const removedLines = removed.map((e) => `- ${escapeInline(e)}: **removed** (membership being removed from the target, verified by read-back)`);
  return [`✅ **Access review certified** by ${approvers.map(escapeInline).join(", ")}.`, "", ...keptLines, ...removedLines].join("\n");
}

export function reviewRejectedComment(reason: string): string {
  return [
    `❌ **Access review rejected:** ${reason}.`,
    "",
    "The members listed stay due at their previous review dates (the dates in this merge are not taken as certified); the deadline and reminders continue. Revert the change or open a new review.",
  ].join("\n");
}
