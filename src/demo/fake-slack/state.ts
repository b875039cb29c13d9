/** What the fake Slack workspace remembers: users, IM channels, messages, views. */

export interface FakeSlackUser {
  id: string;
  /** Null = the app cannot see an email (no users:read.email, or a bot). */
  email: string | null;
  name: string;
  realName?: string;
  tz?: string;
  deleted?: boolean;
  isBot?: boolean;
}

export interface MessageVersion {
  text: string;
  blocks: unknown[] | undefined;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  /** The bot user that posted it. */
  user: string;
  /** Current text and blocks (after every chat.update). */
  text: string;
  blocks: unknown[] | undefined;
  /** Every version, oldest first (the post, then each update). */
  history: MessageVersion[];
  postedAt: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[] | undefined;
  messageTs: string;
  at: number;
}

export interface FakeView {
  id: string;
  type: "modal" | "home";
  /** The home tab owner (views.publish); null for modals. */
  userId: string | null;
  triggerId: string | null;
  externalId: string | null;
  callbackId: string | null;
  hash: string;
  /** The view as last sent (views.open / publish / update). */
  view: Record<string, unknown>;
  history: Record<string, unknown>[];
}

export interface RecordedCall {
  method: string;
  /** Arguments as the fake parsed them (JSON-string fields such as `blocks`/`view` decoded); no token. */
  args: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

export interface RecordedResponse {
  id: string;
  payload: unknown;
  at: number;
}

export class SlackState {
  readonly users = new Map<string, FakeSlackUser>();
  /** userId -> IM channel id. */
  readonly ims = new Map<string, string>();
  readonly messages = new Map<string, FakeMessage>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly views = new Map<string, FakeView>();
  readonly usedTriggers = new Set<string>();
  #seq = 0;

  /** A message timestamp: epoch seconds + a per-workspace counter, unique and increasing. */
  nextTs(now: number): string {
    this.#seq += 1;
    return `${Math.floor(now / 1000)}.${String(this.#seq).padStart(6, "0")}`;
  }

  nextId(prefix: string): string {
    this.#seq += 1;
    return `${prefix}${String(this.#seq).padStart(8, "0")}`;
  }

  /** The app's IM with a user, opened on first use (as Slack does for postMessage to a user id). */
  imFor(userId: string): string {
    let channel = this.ims.get(userId);
    if (channel === undefined) {
      channel = `D${userId.replace(/^[UW]/, "")}`;
      this.ims.set(userId, channel);
    }
    return channel;
  }

  userOfIm(channel: string): string | null {
    for (const [user, im] of this.ims) if (im === channel) return user;
    return null;
  }

  messageKey(channel: string, ts: string): string {
    return `${channel}/${ts}`;
  }

  userByEmail(email: string): FakeSlackUser | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((u) => u.email !== null && u.email.toLowerCase() === wanted);
  }

  clearActivity(): void {
    this.messages.clear();
    this.ephemerals.length = 0;
    this.views.clear();
    this.usedTriggers.clear();
  }
}
