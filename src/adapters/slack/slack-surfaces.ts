/**
 * SlackSurfaces over the Web API: the Home tab (views.publish) and request cards
 * (chat.postMessage / chat.update). Rendering is done by the pure views; this only sends.
 * 429s are retried by the WebClient honouring Retry-After, and whatever still fails becomes an
 * AppError (`wrap`) so the job queue retries it later.
 */
import type { WebClient } from "@slack/web-api";
import type { MessageRef } from "../../services/ports/index.ts";
import type { CardModel, HomeModel, SlackSurfaces } from "../../services/ports/slack.ts";
import type { SlackIdentities } from "./slack-identities.ts";
import { wrap } from "./slack-errors.ts";
import { renderCard } from "./views/card.ts";
import { homeView } from "./views/home.ts";

export class SlackWebSurfaces implements SlackSurfaces {
  constructor(
    private readonly client: WebClient,
    private readonly directory: SlackIdentities,
  ) {}

  userIdFor(email: string): Promise<string | null> {
    return this.directory.userIdFor(email);
  }

  async publishHome(userId: string, home: HomeModel): Promise<void> {
    await wrap("views.publish", () => this.client.views.publish({ user_id: userId, view: homeView(home) as never }));
  }

  async postCard(channel: string, card: CardModel): Promise<MessageRef> {
    const message = renderCard(card);
    const res = await wrap("chat.postMessage", () =>
      this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false, unfurl_media: false }),
    );
    // Posting to a user id lands in the DM; chat.update needs the D… channel Slack answers with.
    return { channel: String(res.channel ?? channel), ts: String(res.ts) };
  }

  async updateCard(ref: MessageRef, card: CardModel): Promise<void> {
    const message = renderCard(card);
    await wrap("chat.update", () => this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks as never }));
  }
}
