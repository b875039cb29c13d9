/**
 * Slack renderings of the leavers/movers/hygiene notes: the offboarding confirmation (manager and
 * ops), the interim "pending" notice, the pre-expiry reminder and the stale-request notice. Pure.
 */
import { describeRemaining, formatDuration } from "../../../domain/durations.ts";
import type { Grant } from "../../../domain/grant.ts";
import { isEmergencyGrant } from "../../../domain/breakglass.ts";
import { CAUSE_WORDS, orphanAdvice, unverifiedGroups, type OffboardingReport } from "../../../domain/offboarding.ts";
import type { OutboundMessage } from "../../../services/ports/index.ts";
import { SLACK_LIMITS, clip, escapeMrkdwn } from "./limits.ts";

function when(ms: number | null): string {
  if (ms === null) return "?";
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

/** Packs lines into section blocks within Slack's limits; the text fallback is all of it. */
function sections(lines: string[]): OutboundMessage {
  const blocks: Record<string, unknown>[] = [];
  let current = "";
  const flush = () => {
    if (current) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(current, SLACK_LIMITS.sectionText) } });
    current = "";
  };
  for (const line of lines) {
    if (current && current.length + line.length + 1 > SLACK_LIMITS.sectionText) flush();
    current = current ? `${current}\n${line}` : line;
  }
  flush();
  return { text: clip(lines.join("\n"), SLACK_LIMITS.messageText), blocks: blocks.slice(0, SLACK_LIMITS.messageBlocks) };
}

function who(report: OffboardingReport): string {
  const name = report.person.displayName ? `*${escapeMrkdwn(report.person.displayName)}* (${escapeMrkdwn(report.person.email)})` : `*${escapeMrkdwn(report.person.email)}*`;
  return name;
}

export function renderOffboarding(report: OffboardingReport, phase: "final" | "pending", audience: "manager" | "ops"): OutboundMessage {
  const lines: string[] = [];
  const cause = CAUSE_WORDS[report.cause];
  if (phase === "final") {
    lines.push(`✅ *Offboarding complete:* ${who(report)} ${cause}. grantbot removed their access and verified the removal in every target.`);
  } else {
    lines.push(`⏳ *Offboarding in progress:* ${who(report)} ${cause}. Their credentials are revoked, but some group removals are not verified yet; grantbot keeps retrying them:`);
    const still = unverifiedGroups(report);
    for (const r of still) lines.push(`• *${escapeMrkdwn(r.resource)}*: \`${escapeMrkdwn(r.group)}\` in ${escapeMrkdwn(r.target)} — NOT verified: ${escapeMrkdwn(r.note)}`);
    if (still.length === 0) lines.push("• (the last removals are finishing now)");
    lines.push("A confirmation follows as soon as every removal is verified.", "");
  }
  if (audience === "ops") {
    lines.push(report.managerProblem ? `⚠️ *Manager not told:* ${escapeMrkdwn(report.managerProblem)}.` : `Manager ${escapeMrkdwn(report.manager ?? "?")} got this summary by DM.`);
  }
  lines.push("*Grants revoked:*");
  if (report.grants.length === 0) lines.push("• none (no live grants)");
  for (const g of report.grants) {
    const creds = g.credentialsRevoked > 0 ? `; ${g.credentialsRevoked} credential(s) revoked` : "";
    const head = `• *${escapeMrkdwn(g.resource)}* (grant \`${g.grantId}\`${g.wasActive ? "" : ", activation cancelled"})${creds}`;
    if (g.groups.length === 0) lines.push(`${head}: no group membership had been given`);
    else lines.push(`${head}:`);
    for (const r of g.groups) {
      lines.push(`    ◦ \`${escapeMrkdwn(r.group)}\` in ${escapeMrkdwn(r.target)} — ${r.verified ? `verified (${escapeMrkdwn(r.note)})` : `NOT verified: ${escapeMrkdwn(r.note)}`}`);
    }
  }
  if (report.cancelledRequests.length > 0) {
    lines.push("*Pending requests cancelled (PRs closed):*");
    for (const r of report.cancelledRequests) lines.push(`• *${escapeMrkdwn(r.resource)}* (request \`${r.grantId}\`)${r.prUrl ? ` <${r.prUrl}|PR #${r.prNumber}>` : ""}`);
  }
  if (report.orphans.length > 0) {
    lines.push("*Orphaned service identities* (owned by the leaver, still live):");
    for (const o of report.orphans) {
      const until = o.expiresAt ? ` until ${when(o.expiresAt)}` : ` (${o.state})`;
      lines.push(`• \`${escapeMrkdwn(o.subject)}\` has *${escapeMrkdwn(o.resource)}*${until}, grant \`${o.grantId}\`: ${orphanAdvice(o)}.`);
    }
  }
  return sections(lines);
}

export function renderExpiryReminder(grant: Grant, now: number): OutboundMessage {
  const left = describeRemaining((grant.expiresAt ?? now) - now);
  return sections([
    `⏰ Your access to *${escapeMrkdwn(grant.resource)}* ends at ${when(grant.expiresAt)} (${left} left). Grant \`${grant.id}\`.`,
    isEmergencyGrant(grant)
      ? `Need longer? Break-glass grants are not extended: request it the normal way with \`/access ${grant.resource} <duration> <reason>\` (reviewed first).`
      : `Need longer? \`/access extend ${grant.id} <duration>\` opens an extension request (e.g. \`/access extend ${grant.id} 1h\`); it needs the same approval.`,
  ]);
}

export function renderRequestStale(grant: Grant, ageMs: number): OutboundMessage {
  const age = formatDuration(Math.max(1000, Math.round(ageMs / 1000) * 1000));
  const pr = grant.prUrl ? `<${grant.prUrl}|PR #${grant.prNumber}>` : "its pull request";
  return sections([
    `⌛ Your request for *${escapeMrkdwn(grant.resource)}* (${formatDuration(grant.durationMs)}) was not reviewed within ${age}, so grantbot closed ${pr} and cancelled it. Nothing was granted.`,
    `Still needed? Ask again with \`/access ${grant.resource}\`.`,
  ]);
}
