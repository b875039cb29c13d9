/**
 * One person's grants as blocks (pure), shared by the Home tab and the `/access list` reply:
 * live grants with time left and Extend/Release buttons, pending requests with their PR and
 * approvals so far, recently ended ones. `fitGroups` keeps the result within a block budget,
 * replacing what does not fit with a "…and N more" line.
 */
import { describeRemaining, formatDuration } from "../../../domain/durations.ts";
import type { Grant } from "../../../domain/grant.ts";
import type { GrantUseView, PendingRequest } from "../../../services/ports/slack.ts";
import { context, divider, grantButtons, prLink, pullRequestButton, section, slackDate, type Block } from "./blocks.ts";
import { endWords } from "./card.ts";
import { escapeMrkdwn } from "./limits.ts";

/** "Used 12 times · last 3m ago", "Not used yet", or that use is not tracked (no credential). */
export function usageText(u: GrantUseView | undefined, now: number): string {
  if (!u) return "";
  if (!u.hasCredential) return "Use not tracked (no credential)";
  if (u.uses === 0 || u.lastUse === null) return "Not used yet";
  return `Used ${u.uses} time${u.uses === 1 ? "" : "s"} · last ${describeRemaining(now - u.lastUse)} ago`;
}

export function liveGrantText(g: Grant, now: number, usage?: GrantUseView): string {
  const when =
    g.state === "active" && g.expiresAt !== null
      ? `expires in *${describeRemaining(g.expiresAt - now)}* (${slackDate(g.expiresAt)})`
      : "approved; being activated";
  const approved = g.approvedBy.length > 0 ? ` · approved by ${g.approvedBy.map(escapeMrkdwn).join(", ")}` : "";
  const ext = g.extends ? ` · extends \`${g.extends}\`` : "";
  const used = usageText(usage, now);
  return `*${escapeMrkdwn(g.resource)}* · ${when}\nGrant \`${g.id}\`${ext}${approved}${used ? `\n${used}` : ""}`;
}

export function liveGrantBlocks(g: Grant, now: number, usage?: GrantUseView): Block[] {
  return [section(liveGrantText(g, now, usage)), grantButtons(g)];
}

export function pendingText(p: PendingRequest): string {
  const g = p.grant;
  const who = p.approvedBy.length > 0 ? ` (${p.approvedBy.map(escapeMrkdwn).join(", ")})` : "";
  const state = g.state === "requested" ? "opening the pull request" : `${prLink(g)} · approvals ${p.approvedBy.length} of ${p.required}${who}`;
  const ext = g.extends ? ` · extends \`${g.extends}\`` : "";
  return `*${escapeMrkdwn(g.resource)}* for ${formatDuration(g.durationMs)} · ${state}\nRequest \`${g.id}\`${ext}`;
}

export function pendingBlock(p: PendingRequest): Block {
  return section(pendingText(p), pullRequestButton(p.grant) ?? undefined);
}

export function recentText(g: Grant, usage?: GrantUseView): string {
  const words = g.state === "declined" ? "declined" : g.state === "rejected" ? "not activated" : g.state === "cancelled" ? "cancelled" : endWords(g);
  const used = usage?.hasCredential && g.activatedAt !== null ? ` · ${usage.uses === 0 ? "never used" : `used ${usage.uses} time${usage.uses === 1 ? "" : "s"}`}` : "";
  return `*${escapeMrkdwn(g.resource)}* · ${escapeMrkdwn(words)} ${slackDate(g.endedAt ?? g.updatedAt)} · \`${g.id}\`${used}`;
}

export interface BlockGroup {
  title: string;
  /** Each item is a few blocks that stay together. */
  items: Block[][];
  /** Shown when there are no items; null = leave the group out entirely. */
  empty: string | null;
}

/**
 * Lays out `groups` between `top` and `bottom` within `budget` blocks. Every group keeps its title
 * and, when items are cut, a line saying how many were left out (see `/access list`).
 */
export function fitGroups(top: Block[], groups: readonly BlockGroup[], bottom: Block[], budget: number, moreHint: string): Block[] {
  const shown = groups.filter((g) => g.items.length > 0 || g.empty !== null);
  const out: Block[] = [...top];
  // Each group needs a divider, a title and one line (its first item's worth, "none", or "more").
  let reserved = shown.length * 3 + bottom.length;
  for (const group of shown) {
    reserved -= 3;
    out.push(divider(), section(group.title));
    if (group.items.length === 0) {
      out.push(context(group.empty ?? ""));
      continue;
    }
    let used = 0;
    for (const [i, item] of group.items.entries()) {
      const last = i === group.items.length - 1;
      const room = budget - reserved - out.length - (last ? 0 : 1);
      if (item.length > room) break;
      out.push(...item);
      used++;
    }
    if (used < group.items.length) out.push(context(`…and ${group.items.length - used} more ${moreHint}`));
  }
  return [...out, ...bottom].slice(0, budget);
}
