/**
 * Notifier over the Slack Web API. DMs go through conversations.open (cached per user) and
 * chat.postMessage; the credential DM is redacted with chat.update. Rate limits (HTTP 429 with
 * Retry-After) are retried by the WebClient; anything else surfaces as `target_unavailable` so
 * the job queue retries it later — a message is delayed, never dropped.
 */
import type { WebClient } from "@slack/web-api";
import { AppError } from "../../domain/errors.ts";
import type { Grant } from "../../domain/grant.ts";
import type { Clock, MessageRef, Note, Notifier, OutboundMessage, Recipient } from "../../services/ports/index.ts";
import { redactedCredential, renderNote } from "./views/notes.ts";
import { wrap } from "./slack-errors.ts";
import type { SlackIdentities } from "./slack-identities.ts";

export class SlackNotifier implements Notifier {
  private readonly imChannels = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly directory: SlackIdentities,
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

  async toChannel(channel: string, note: Note): Promise<MessageRef> {
    return this.post(channel, note);
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
