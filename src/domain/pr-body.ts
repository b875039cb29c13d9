/**
 * Pure builders of a grant PR's title and body (CONVENTIONS.md §8): who, what, how long, why,
 * which policy applies, and how approval works. Truncated to GitHub's limits. No imports and no
 * I/O, so services may use it through a domain re-export.
 */

/** GitHub rejects an issue/PR body or comment longer than this many characters. */
export const GITHUB_BODY_MAX = 65_536;
/** Issue/PR comments share the body limit. */
export const GITHUB_COMMENT_MAX = 65_536;
/** GitHub truncates titles longer than this in most views; grantbot never sends more. */
export const GITHUB_TITLE_MAX = 256;
/** A reason longer than this is shown shortened in the body (the grant file has it all). */
export const REASON_DISPLAY_MAX = 4_000;

export interface PrBodyInput {
  grantId: string;
  resource: string;
  resourceDescription: string;
  subject: string;
  requester: string;
  /** Short form: `90s`, `30m`, `4h`, `1d`. */
  duration: string;
  reason: string;
  /** RFC 3339. */
  requestedAt: string;
  policy: {
    max: string;
    /** Already formatted, e.g. `@acme/dba, @carol-gh`. */
    approvers: string;
    min: number;
    reasonRequired: boolean;
  };
  /** The grant this request extends. */
  extends?: string;
  /** A hint for reviewers from the subject's recent grants of this resource and their use (services/usage). */
  history?: string | null;
}

/** Cuts `text` to `max` characters (ending with "…"), never splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * User-typed text inside one Markdown line or table cell: whitespace collapsed, Markdown and
 * HTML neutralised, and @mentions broken (a reason must not ping people or teams).
 */
export function escapeInline(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    // A mention starts at a word boundary; the @ inside an email address is not one.
    .replace(/(?<![A-Za-z0-9_.+-])@(?=[A-Za-z0-9])/g, "@\u200b");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function renderPrTitle(input: Pick<PrBodyInput, "resource" | "subject" | "duration" | "extends">): string {
  const verb = input.extends ? "Extend access" : "Access";
  const title = `${verb}: ${input.resource} for ${input.subject} (${input.duration})`.replace(/\s+/g, " ");
  return truncateText(title, GITHUB_TITLE_MAX);
}

export function renderPrBody(input: PrBodyInput): string {
  const reason = input.reason.trim() === "" ? "_(no reason given)_" : escapeInline(truncateText(input.reason, REASON_DISPLAY_MAX));
  const requester = input.requester === input.subject ? "self-requested" : `requested by ${escapeInline(input.requester)}`;
  const approvals = input.policy.min === 1 ? "1 approval" : `${input.policy.min} approvals`;
  const rows: Array<[string, string]> = [
    ["Who", `${escapeInline(input.subject)} (${requester})`],
    ["What", `${code(input.resource)}${input.resourceDescription ? ` — ${escapeInline(input.resourceDescription)}` : ""}`],
    ["How long", `${input.duration} from activation (the catalog allows at most ${input.policy.max})`],
    ["Why", reason],
    ["Requested at", input.requestedAt],
    ["Grant", code(input.grantId)],
  ];
  if (input.extends) rows.push(["Extends", code(input.extends)]);
  if (input.history) rows.push(["Recent use", escapeInline(input.history)]);
  const lines = [
    `## ${input.extends ? "Access extension" : "Access request"}: ${code(input.resource)} for ${escapeInline(input.subject)}`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| **${k}** | ${v} |`),
    "",
    "### Policy",
    "",
    `- **Approvers:** ${input.policy.approvers || "_(none configured)_"} — at least **${approvals}** required.`,
    "- Only approvals of the PR's **final commit** count, and never from the subject or the requester.",
    `- **Maximum duration:** ${input.policy.max}.`,
    `- A reason is ${input.policy.reasonRequired ? "required" : "optional"} for this resource.`,
    "",
    "### How approval works",
    "",
    `Approve this pull request **on its final commit**, then **merge** it: merging activates the grant for ${input.duration}. ` +
      "Before activating, grantbot checks that the grant file is byte-identical to the one it committed, that the catalog policy still holds, " +
      "and that enough allowed approvers approved the final commit. Any edit to the file blocks activation. Closing without merging declines the request.",
    "",
    `<!-- grantbot:grant-id=${input.grantId.replace(/[^A-Za-z0-9-]/g, "")} -->`,
  ];
  return truncateText(lines.join("\n"), GITHUB_BODY_MAX);
}
