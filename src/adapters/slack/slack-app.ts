/**
 * Builds the Bolt App. HTTP mode: Bolt's HTTPReceiver verifies signatures and handles acks; its
 * request listener is mounted on grantbot's one HTTP server at POST /slack/events (we never
 * start Bolt's own server). Socket Mode when SLACK_APP_TOKEN is set.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { RequestListener } from "node:http";
import type { Log } from "../../services/ports/index.ts";

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  appToken?: string | null;
  apiUrl: string;
  /**
   * Known bot ids (from the start-up check's auth.test, or tests). Without them Bolt would call
   * auth.test as it is constructed, retrying for minutes against an unreachable Slack and ending
   * the process with an unhandled rejection on a bad token; here it is deferred to the first
   * incoming event instead (one-shot CLI commands receive none).
   */
  botId?: string;
  botUserId?: string;
  log: Log;
  /** Web API retries; production default retries 429s honouring Retry-After. */
  retries?: number;
  /** Timeout of one Web API request in ms (default 10 000): a Slack that never answers is bounded. */
  timeoutMs?: number;
}

export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

export interface SlackApp {
  app: App;
  /** For POST /slack/events (HTTP mode); null in Socket Mode. */
  requestListener: RequestListener | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function boltLogger(log: Log) {
  let level = LogLevel.INFO;
  const fmt = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
  return {
    debug: (...args: unknown[]) => log.debug({ component: "bolt" }, fmt(args)),
    info: (...args: unknown[]) => log.info({ component: "bolt" }, fmt(args)),
    warn: (...args: unknown[]) => log.warn({ component: "bolt" }, fmt(args)),
    error: (...args: unknown[]) => log.error({ component: "bolt" }, fmt(args)),
    setLevel: (l: typeof level) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const logger = boltLogger(options.log);
  const clientOptions = {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: options.retries ?? 10, factor: 1.96, randomize: true },
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS,
  };
  const ids = options.botId && options.botUserId ? { botId: options.botId, botUserId: options.botUserId } : { tokenVerificationEnabled: false };
  if (options.appToken) {
    const receiver = new SocketModeReceiver({ appToken: options.appToken, logger: logger as never });
    const app = new App({ token: options.botToken, receiver, clientOptions, logger: logger as never, ...ids });
    return { app, requestListener: null, start: async () => void (await app.start()), stop: async () => void (await app.stop()) };
  }
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: "/slack/events",
    processBeforeResponse: false,
    logger: logger as never,
    unhandledRequestTimeoutMillis: 2_900,
  });
  const app = new App({ token: options.botToken, receiver, clientOptions, logger: logger as never, ...ids });
  return { app, requestListener: receiver.requestListener, start: async () => {}, stop: async () => {} };
}
