/**
 * The policy diff as a GitHub pull-request comment (Markdown) and as stable JSON. Pure.
 *
 * Every value from the policy files is shown inside a code span, so nothing in a description or
 * a group name can render as Markdown or HTML, mention a user or team, or fake the marker line.
 */
import { stableJson, type ChangeKind, type FieldChange, type JsonValue, type PersonDiff, type PolicyDiff, type ResourceDiff, type RiskFlag } from "./policy-diff-types.ts";

/** First line of the comment: the workflow finds (and updates) its earlier comment by it. */
export const DIFF_MARKER = "<!-- grantbot-diff -->";
/** GitHub refuses issue comments longer than this many characters. */
export const GITHUB_COMMENT_MAX_CHARS = 65_536;
const TRUNCATION_RESERVE = 600;

export interface RenderContext {
  /** How the two sides were named on the command line, e.g. "origin/main (3f2a1bc)", "working tree". */
  base: string;
  head: string;
}

/** `--json`: keys in a fixed order; list fields also carry `added`/`removed`. */
export function renderDiffJson(diff: PolicyDiff): string {
  const fields = (list: readonly FieldChange[]) =>
    list.map((f) => ({ field: f.field, before: f.before, after: f.after, ...(f.added ? { added: f.added, removed: f.removed ?? [] } : {}) }));
  const risks = (list: readonly RiskFlag[]) => list.map((r) => ({ code: r.code, message: r.message }));
  return `${JSON.stringify(
    {
      resources: diff.resources.map((r) => ({ id: r.id, change: r.change, fields: fields(r.fields), risks: risks(r.risks) })),
      people: diff.people.map((p) => ({ email: p.email, change: p.change, sensitive: p.sensitive, fields: fields(p.fields), risks: risks(p.risks) })),
      risks: diff.risks,
    },
    null,
    2,
  )}\n`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 resources changed, 2 risk flags". */
export function summaryLine(diff: PolicyDiff): string {
  return `${plural(diff.resources.length, "resource")} changed, ${plural(diff.risks, "risk flag")}`;
}

/** Markdown for a PR comment or a job summary, at most GITHUB_COMMENT_MAX_CHARS long. */
export function renderDiffMarkdown(diff: PolicyDiff, context: RenderContext): string {
  const head: string[] = [DIFF_MARKER, "### grantbot policy diff: who can access what", ""];
  const counts = diff.resources.length === 0 && diff.people.length === 0
    ? "No change to who can access what."
    : `**${diff.risks > 0 ? "⚠️ " : ""}${summaryLine(diff)}**${diff.people.length > 0 ? `, ${plural(diff.people.length, "person", "people")} changed in people.yaml` : ""}`;
  head.push(counts, "", `<sub>from ${code(context.base)} to ${code(context.head)}; ⚠️ marks a change that widens access</sub>`, "");
  const sections = [...diff.resources.map(resourceSection), ...(diff.people.length > 0 ? [peopleSection(diff.people)] : [])];
  let out = head.join("\n");
  for (const [i, section] of sections.entries()) {
    if (out.length + section.length + TRUNCATION_RESERVE > GITHUB_COMMENT_MAX_CHARS) {
      const left = sections.length - i;
      out += `\n_… ${plural(left, "more section")} not shown: a GitHub comment holds at most ${GITHUB_COMMENT_MAX_CHARS.toLocaleString("en-US")} characters. Run \`grantbot diff\` locally (or \`--json\`) for everything._\n`;
      return out;
    }
    out += `\n${section}`;
  }
  return out;
}

function resourceSection(resource: ResourceDiff): string {
  const mark = resource.risks.length > 0 ? "⚠️ " : "";
  const lines = [`#### ${mark}${code(resource.id)} — ${resource.change}`, ""];
  if (resource.fields.length > 0) {
    lines.push("| field | before | after |", "| --- | --- | --- |");
    const shown = (field: FieldChange, side: "before" | "after") => (absentSide(resource.change) === side ? "—" : cell(field, side));
    for (const field of resource.fields) lines.push(`| ${code(field.field)} | ${shown(field, "before")} | ${shown(field, "after")} |`);
    lines.push("");
  }
  for (const risk of resource.risks) lines.push(riskLine(risk));
  if (resource.risks.length > 0) lines.push("");
  return lines.join("\n");
}

/** One bullet per person (sensitive ones first), their flags nested under it. */
function peopleSection(people: readonly PersonDiff[]): string {
  const lines = ["#### Identity changes (people.yaml)", ""];
  const ordered = [...people.filter((p) => p.sensitive), ...people.filter((p) => !p.sensitive)];
  for (const person of ordered) {
    const mark = person.sensitive ? "⚠️ **sensitive** " : person.risks.length > 0 ? "⚠️ " : "";
    const changes = person.fields
      .map((f) => (person.change === "changed" ? `${f.field} ${cell(f, "before")} → ${cell(f, "after")}` : `${f.field} ${cell(f, person.change === "added" ? "after" : "before")}`))
      .join("; ");
    lines.push(`- ${mark}${code(person.email)} ${person.change}: ${changes}`);
    for (const risk of person.risks) lines.push(`  ${riskLine(risk)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The side on which an added or removed entry does not exist. */
function absentSide(change: ChangeKind): "before" | "after" | null {
  return change === "added" ? "before" : change === "removed" ? "after" : null;
}

function riskLine(risk: RiskFlag): string {
  return `- ⚠️ ${code(risk.code)} ${escapeText(risk.message)}`;
}

/** One side of a field change as a table cell. */
function cell(field: FieldChange, side: "before" | "after"): string {
  const value = field[side];
  if (value === null) return field.field === "eligible" ? "anyone" : "—";
  if (!Array.isArray(value)) return item(field.field, value);
  if (value.length === 0) return "none";
  const marked = new Set((side === "after" ? field.added ?? [] : field.removed ?? []).map(stableJson));
  const sign = side === "after" ? "**+**" : "**−**";
  return value.map((v) => `${marked.has(stableJson(v)) ? sign : ""}${item(field.field, v)}`).join(", ");
}

function item(field: string, value: JsonValue): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    if (typeof value.login === "string") {
      return typeof value.email === "string" ? `${code(value.login)} → ${code(value.email)}` : `${code(value.login)} (not in people.yaml: approvals do not count)`;
    }
    if (typeof value.email === "string" && "review_after" in value) {
      return typeof value.review_after === "string" ? `${code(value.email)} (review after ${code(value.review_after)})` : code(value.email);
    }
  }
  const text = typeof value === "string" ? value : stableJson(value);
  return field === "approvers.teams" ? `team ${code(text)} (members not known offline)` : code(text);
}

/** A code span that holds any text: a fence longer than the text's backtick runs; pipes escaped for tables. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`;
}

/** Prose built from policy values (risk messages): no Markdown, HTML or mentions. */
function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/(^|[^A-Za-z0-9.])@/g, "$1@\u200b");
}
