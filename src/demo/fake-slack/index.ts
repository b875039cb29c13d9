/**
 * A local Slack Web API for `grantbot demo` and the tests (CONVENTIONS.md "Testing against real
 * protocols, offline"); never used by `serve`.
 * Point `new WebClient(token, { slackApiUrl: slack.apiUrl })` or Bolt's
 * `clientOptions.slackApiUrl` at it. It answers `POST /api/<method>` (form or JSON bodies, token
 * in `Authorization: Bearer` or a `token` field), keeps message/view state, records every call,
 * and receives `response_url` posts at `POST /response/<id>`.
 *
 * Strict where Slack is: DMs, users.info, views.publish need the user added with `addUser`
 * (else `channel_not_found` / `user_not_found`); chat.update needs the channel id postMessage
 * returned (D…), not the user id; Block Kit limits are checked (limits.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { METHODS } from "./methods.ts";
import { bearer, collectTexts, parseBody, readBody, send, take, type Injected } from "./http-utils.ts";
import { JSON_FIELDS, type Args } from "./protocol.ts";
import { SlackState, type FakeEphemeral, type FakeMessage, type FakeSlackUser, type FakeView, type RecordedCall, type RecordedResponse } from "./state.ts";

export type { FakeEphemeral, FakeMessage, FakeSlackUser, FakeView, RecordedCall, RecordedResponse } from "./state.ts";
export { LIMITS } from "./limits.ts";

export interface FakeSlackOptions {
  token?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Delay before every answer (simulated round trip). Can be changed later via `rttMs`. */
  rttMs?: number;
  /** Time source for recorded calls and message ts (default Date.now). */
  now?: () => number;
}

export class FakeSlack {
  readonly token: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  rttMs: number;
  readonly #state = new SlackState();
  readonly #calls: RecordedCall[] = [];
  readonly #responses: RecordedResponse[] = [];
  readonly #rateLimits = new Map<string, Injected>();
  readonly #failures = new Map<string, Injected>();
  readonly #now: () => number;
  #server!: Server;
  #port = 0;
  #responseSeq = 0;

  private constructor(opts: FakeSlackOptions) {
    this.token = opts.token ?? "xoxb-fake-slack-token";
    this.botUserId = opts.botUserId ?? "U0GRANTBOT1";
    this.botId = opts.botId ?? "B0GRANTBOT1";
    this.teamId = opts.teamId ?? "T0FAKETEAM1";
    this.rttMs = opts.rttMs ?? 0;
    this.#now = opts.now ?? Date.now;
  }

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    const slack = new FakeSlack(opts);
    slack.#server = createServer((req, res) => void slack.#handle(req, res));
    await new Promise<void>((resolve) => slack.#server.listen(0, "127.0.0.1", resolve));
    slack.#port = (slack.#server.address() as AddressInfo).port;
    return slack;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** For `slackApiUrl` (trailing slash included, as the WebClient expects). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  addUser(user: { id: string; email?: string | null; name: string; realName?: string; tz?: string; deleted?: boolean; isBot?: boolean }): FakeSlackUser {
    const stored: FakeSlackUser = { ...user, email: user.email ?? null };
    this.#state.users.set(user.id, stored);
    return stored;
  }

  calls(method?: string): RecordedCall[] {
    return this.#calls.filter((c) => method === undefined || c.method === method);
  }

  /** Messages posted by the app (current versions), oldest first; optionally in one channel. */
  messages(channel?: string): FakeMessage[] {
    return [...this.#state.messages.values()].filter((m) => channel === undefined || m.channel === channel);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.#state.messages.get(this.#state.messageKey(channel, ts));
  }

  /** The current text of a message after all updates (undefined when it does not exist). */
  currentText(channel: string, ts: string): string | undefined {
    return this.message(channel, ts)?.text;
  }

  /** Text plus every text inside blocks: what a person can read. Use it to assert a secret is gone. */
  visibleText(channel: string, ts: string): string | undefined {
    const m = this.message(channel, ts);
    return m === undefined ? undefined : [m.text, ...collectTexts(m.blocks)].join("\n");
  }

  /** The app's IM channel with a user, or null when none has been opened. */
  imChannelOf(userId: string): string | null {
    return this.#state.ims.get(userId) ?? null;
  }

  /** Messages in the app's DM with a user (posted to the user id or the D… channel). */
  dmsTo(userId: string): FakeMessage[] {
    const im = this.imChannelOf(userId);
    return im === null ? [] : this.messages(im);
  }

  ephemerals(userId?: string): FakeEphemeral[] {
    return this.#state.ephemerals.filter((e) => userId === undefined || e.user === userId);
  }

  views(filter: { type?: "modal" | "home"; userId?: string; callbackId?: string } = {}): FakeView[] {
    return [...this.#state.views.values()].filter(
      (v) =>
        (filter.type === undefined || v.type === filter.type) &&
        (filter.userId === undefined || v.userId === filter.userId) &&
        (filter.callbackId === undefined || v.callbackId === filter.callbackId),
    );
  }

  /** The home tab last published for a user. */
  homeView(userId: string): Record<string, unknown> | undefined {
    return this.views({ type: "home", userId })[0]?.view;
  }

  /** The next `count` calls of `method` get HTTP 429 with `Retry-After: retryAfterSec`. */
  rateLimitNext(method: string, count = 1, retryAfterSec = 1): void {
    this.#rateLimits.set(method, { remaining: count, retryAfterSec });
  }

  /** The next `count` calls of `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string, count = 1): void {
    this.#failures.set(method, { remaining: count, error });
  }

  /** A URL Slack would send as `response_url`; posts to it are kept under `id`. */
  responseUrl(id: string = `r${++this.#responseSeq}`): string {
    return `${this.baseUrl}/response/${encodeURIComponent(id)}`;
  }

  responses(id?: string): RecordedResponse[] {
    return this.#responses.filter((r) => id === undefined || r.id === id);
  }

  /** Polls `probe` until it returns something truthy (for effects that happen after an ack). */
  async waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 2000, what = "condition"): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`fake Slack: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Forgets calls, messages, views and injected faults; keeps users. */
  reset(): void {
    this.#calls.length = 0;
    this.#responses.length = 0;
    this.#rateLimits.clear();
    this.#failures.clear();
    this.#state.clearActivity();
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((e) => (e ? reject(e) : resolve())));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const raw = await readBody(req);
    if (this.rttMs > 0) await new Promise((r) => setTimeout(r, this.rttMs));
    const at = this.#now();
    const response = /^\/response\/([^/]+)$/.exec(url.pathname);
    if (req.method === "POST" && response) {
      this.#responses.push({ id: decodeURIComponent(response[1]!), payload: parseBody(raw, req.headers["content-type"], true), at });
      return send(res, 200, { ok: true });
    }
    const api = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
    if (!api) return send(res, 404, { ok: false, error: "not_found" });
    const method = api[1]!;
    const args: Args = req.method === "GET" ? Object.fromEntries(url.searchParams) : parseBody(raw, req.headers["content-type"], false);
    for (const field of JSON_FIELDS) {
      if (typeof args[field] === "string") {
        try { args[field] = JSON.parse(args[field]); } catch { /* Slack rejects below: not an array/object */ }
      }
    }
    const presented = bearer(req.headers.authorization) ?? (typeof args.token === "string" ? args.token : undefined);
    delete args.token;
    const record = (status: number, body: { ok: boolean; error?: string }) =>
      this.#calls.push({ method, args, at, status, ok: body.ok, ...(body.error ? { error: body.error } : {}) });

    const limited = take(this.#rateLimits, method);
    if (limited) {
      const body = { ok: false, error: "ratelimited" };
      record(429, body);
      return send(res, 429, body, { "retry-after": String(limited.retryAfterSec ?? 1) });
    }
    const handler = METHODS[method];
    const injected = take(this.#failures, method);
    const body = injected ? { ok: false, error: injected.error! }
      : presented === undefined ? { ok: false, error: "not_authed" }
      : presented !== this.token ? { ok: false, error: "invalid_auth" }
      : handler === undefined ? { ok: false, error: "unknown_method" }
      : handler(args, { state: this.#state, now: at, botUserId: this.botUserId, botId: this.botId, teamId: this.teamId });
    record(200, body);
    send(res, 200, body);
  }
}
