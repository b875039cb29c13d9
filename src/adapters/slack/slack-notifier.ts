/**
 * Notifier over the Slack Web API. DMs go through conversations.open (cached per user) and
 * chat.postMessage; the credential DM is redacted with chat.update. Rate limits (HTTP 429 with
 * Retry-After) are retried by the WebClient; anything else surfaces as `target_unavailable` so
 * the job queue retries it later — a message is delayed, never dropped.
 */
import type { WebClient } from "@slack/web-api";
import { AppError } from "../../domain/errors.ts";
import type { Grant } from "../../domain/grant.ts";
import type { Clock, MessageRef, Note, Notifier, OutboundMessage, Recipient } from "../../services/ports.ts";
import { redactedCredential, renderNote } from "./views/notes.ts";
import type { SlackDirectory } from "./slack-directory.ts";

export class SlackNotifier implements Notifier {
  private readonly imChannels = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly directory: SlackDirectory,
    private readonly clock: Clock,
    private readonly opsChannel: string | null,
  ) {}

  async send(to: Recipient, note: Note): Promise<MessageRef | null> {
    const userId = to.slackId ?? (await this.directory.userIdFor(to.email));
    if (!userId) return null;
    const channel = await this.imChannel(userId);
    return this.post(channel, note);
  }

  async redactCredential(ref: MessageRef, grant: Grant): Promise<void> {
    await this.update(ref, redactedCredential(grant));
  }

  async replace(ref: MessageRef, note: Note): Promise<void> {
    await this.update(ref, renderNote(note, this.clock.now()));
  }

  private async update(ref: MessageRef, message: OutboundMessage): Promise<void> {
    await wrap("chat.update", () => this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks as never }));
  }

  async ops(note: Note): Promise<void> {
    if (!this.opsChannel) return;
    await this.post(this.opsChannel, note);
  }

  private async post(channel: string, note: Note): Promise<MessageRef> {
    const message = renderNote(note, this.clock.now());
    const res = await wrap("chat.postMessage", () => this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false }));
    return { channel: String(res.channel ?? channel), ts: String(res.ts) };
  }

  private async imChannel(userId: string): Promise<string> {
    const cached = this.imChannels.get(userId);
    if (cached) return cached;
    const res = await wrap("conversations.open", () => this.client.conversations.open({ users: userId }));
    const id = res.channel?.id;
    if (!id) throw new AppError("target_unavailable", "Slack conversations.open returned no channel");
    this.imChannels.set(userId, id);
    return id;
  }
}

/** Converts Web API failures to AppError at the boundary (never includes the token). */
export async function wrap<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string };
    const slackError = e.data?.error;
    const permanent = e.code === "slack_webapi_platform_error" && slackError !== undefined && !["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"].includes(slackError);
    const appError = new AppError(permanent ? "target_rejected" : "target_unavailable", `Slack ${method} failed: ${slackError ?? e.message ?? "unknown error"}`, { cause: err, retryable: !permanent });
    if (e.retryAfter) Object.assign(appError, { retryAfterMs: e.retryAfter * 1000 });
    throw appError;
  }
}
