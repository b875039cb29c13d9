/**
 * Slack-experience helpers on top of `Stack` (request cards, the Home tab, buttons), all going
 * through the real Bolt app with signed requests and reading back from the fake Slack Web API.
 */
import { appHomeOpenedBody, blockActionsBody } from "../fakes/slack-signing.ts";
import type { FakeMessage } from "../fakes/fake-slack/index.ts";
import type { CardMessage } from "../../src/services/ports/slack.ts";
import type { Stack } from "./stack.ts";

/** Where the grant's card copies were posted (from grantbot's SQLite records). */
export function cardCopies(stack: Stack, grantId: string): Promise<CardMessage[]> {
  return stack.grantbot.store.cards.messages(grantId);
}

/** The channel copy of the grant's card as the fake Slack holds it (current text + history). */
export async function channelCard(stack: Stack, grantId: string): Promise<FakeMessage | null> {
  const copy = (await cardCopies(stack, grantId)).find((c) => c.audience === "channel");
  return copy ? (stack.slack.message(copy.channel, copy.ts) ?? null) : null;
}

/** Every version of the channel card's top-level text, oldest first. */
export async function cardHistory(stack: Stack, grantId: string): Promise<string[]> {
  return (await channelCard(stack, grantId))?.history.map((v) => v.text) ?? [];
}

/** Waits until the channel card's current text matches. Returns that text. */
export async function waitForCard(stack: Stack, grantId: string, match: RegExp, timeoutMs = 5000): Promise<string> {
  return stack.waitFor(async () => {
    const text = (await channelCard(stack, grantId))?.text;
    return text !== undefined && match.test(text) ? text : null;
  }, timeoutMs, `the card of ${grantId} to match ${match} (is: ${(await channelCard(stack, grantId))?.text ?? "not posted"})`);
}

/** The user opens grantbot's Home tab (signed `app_home_opened`). */
export async function openHomeTab(stack: Stack, userId: string): Promise<{ status: number }> {
  const res = await stack.postSlack(appHomeOpenedBody(userId));
  return { status: res.status };
}

/** Every text of the Home tab last published for a user (null when none was). */
export function homeText(stack: Stack, userId: string): string | null {
  const view = stack.slack.homeView(userId);
  if (!view) return null;
  return JSON.stringify(view.blocks ?? []);
}

/** Waits until the user's Home tab matches. */
export async function waitForHome(stack: Stack, userId: string, match: RegExp, timeoutMs = 5000): Promise<string> {
  return stack.waitFor(() => {
    const text = homeText(stack, userId);
    return text !== null && match.test(text) ? text : null;
  }, timeoutMs, `the Home tab of ${userId} to match ${match}`);
}

/** Action ids of the buttons in some blocks, with their values. */
export function buttonsIn(blocks: unknown): { actionId: string; value: string | undefined; text: string }[] {
  const out: { actionId: string; value: string | undefined; text: string }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== "object" || v === null) return;
    const o = v as Record<string, unknown>;
    if (o.type === "button" && typeof o.action_id === "string") {
      out.push({ actionId: o.action_id, value: o.value as string | undefined, text: String((o.text as { text?: string } | undefined)?.text ?? "") });
    }
    Object.values(o).forEach(walk);
  };
  walk(blocks);
  return out;
}

export interface Click {
  actionId: string;
  userId: string;
  value?: string;
  /** The button sits on a message (DM, list reply): its channel/ts. Else it is on the Home tab. */
  message?: { channel: string; ts: string };
  /** Give the click a response_url (messages have one); returns its id. */
  withResponseUrl?: boolean;
  triggerId?: string;
}

/** Clicks a button (signed block_actions). Returns the HTTP status and the response_url id. */
export async function click(stack: Stack, c: Click): Promise<{ status: number; responseId: string | null }> {
  const responseId = c.withResponseUrl ? `click-${Math.random().toString(36).slice(2)}` : null;
  const home = stack.slack.homeView(c.userId);
  const body = blockActionsBody({
    actionId: c.actionId,
    userId: c.userId,
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.triggerId ? { triggerId: c.triggerId } : {}),
    ...(responseId ? { responseUrl: stack.slack.responseUrl(responseId) } : {}),
    ...(c.message ? { message: c.message } : { view: { ...(home ?? {}), id: "V0HOME", type: "home" } }),
  });
  const res = await stack.postSlack(body);
  return { status: res.status, responseId };
}

/** Texts posted to a response_url. */
export function responseTexts(stack: Stack, responseId: string): string[] {
  return stack.slack.responses(responseId).map((r) => String((r.payload as { text?: string }).text ?? ""));
}
