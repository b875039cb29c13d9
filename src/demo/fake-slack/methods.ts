/**
 * The Web API methods grantbot uses, answered from SlackState the way Slack answers them
 * (shapes and error codes from docs.slack.dev). Views live in view-methods.ts.
 */
import { messageProblems } from "./limits.ts";
import { fail, type MethodContext, type MethodHandler } from "./protocol.ts";
import type { FakeMessage, FakeSlackUser, SlackState } from "./state.ts";
import { viewMethods } from "./view-methods.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const blocksOf = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/**
 * Where a message to `channel` lands: a user id means the app's IM with that user (Slack opens
 * it); a D… id must be an IM the app has; C…/G… ids are accepted as they are.
 */
function resolveChannel(channel: string | undefined, state: SlackState): string | null {
  if (channel === undefined) return null;
  if (/^[UW]/.test(channel)) return state.users.has(channel) ? state.imFor(channel) : null;
  if (channel.startsWith("D")) return state.userOfIm(channel) === null ? null : channel;
  if (/^[CG][A-Z0-9]+$/.test(channel)) return channel;
  return null;
}

function messageJson(m: FakeMessage, ctx: MethodContext): Record<string, unknown> {
  return {
    type: "message",
    user: m.user,
    bot_id: ctx.botId,
    text: m.text,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    team: ctx.teamId,
  };
}

function userJson(u: FakeSlackUser, ctx: MethodContext): Record<string, unknown> {
  const realName = u.realName ?? u.name;
  return {
    id: u.id,
    team_id: ctx.teamId,
    name: u.name,
    deleted: u.deleted ?? false,
    real_name: realName,
    tz: u.tz ?? "Europe/London",
    is_bot: u.isBot ?? false,
    is_app_user: false,
    profile: {
      real_name: realName,
      display_name: u.name,
      real_name_normalized: realName,
      ...(u.email !== null ? { email: u.email } : {}),
    },
  };
}

const chatMethods: Record<string, MethodHandler> = {
  "auth.test": (_args, ctx) => ({
    ok: true,
    url: "https://fake-workspace.slack.com/",
    team: "Fake Workspace",
    user: "grantbot",
    team_id: ctx.teamId,
    user_id: ctx.botUserId,
    bot_id: ctx.botId,
    is_enterprise_install: false,
  }),

  "chat.postMessage": (args, ctx) => {
    const channel = resolveChannel(str(args.channel), ctx.state);
    if (channel === null) return fail("channel_not_found");
    const text = typeof args.text === "string" ? args.text : "";
    const blocks = blocksOf(args.blocks);
    if (text === "" && !blocks && args.attachments === undefined) return fail("no_text");
    const problems = messageProblems(text, args.blocks);
    if (problems.length > 0) return fail(problems[0] === "[ERROR] msg_too_long" ? "msg_too_long" : "invalid_blocks", problems);
    const ts = ctx.state.nextTs(ctx.now);
    const message: FakeMessage = {
      channel, ts, threadTs: str(args.thread_ts) ?? null, user: ctx.botUserId, text, blocks,
      history: [{ text, blocks, at: ctx.now }], postedAt: ctx.now,
    };
    ctx.state.messages.set(ctx.state.messageKey(channel, ts), message);
    return { ok: true, channel, ts, message: messageJson(message, ctx) };
  },

  /**
   * Replaces text and/or blocks. When `text` is omitted the old text is KEPT (the cautious reading
   * of Slack's behaviour): code that redacts a message must send a new text, or tests notice.
   */
  "chat.update": (args, ctx) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (channel === undefined || (!channel.startsWith("C") && !channel.startsWith("G") && ctx.state.userOfIm(channel) === null)) {
      return fail("channel_not_found");
    }
    const message = ts === undefined ? undefined : ctx.state.messages.get(ctx.state.messageKey(channel, ts));
    if (message === undefined) return fail("message_not_found");
    const blocks = args.blocks === undefined ? message.blocks : blocksOf(args.blocks);
    const text = typeof args.text === "string" ? args.text : message.text;
    if (text === "" && (!blocks || blocks.length === 0)) return fail("no_text");
    const problems = messageProblems(text, args.blocks);
    if (problems.length > 0) return fail("invalid_blocks", problems);
    message.text = text;
    message.blocks = blocks;
    message.history.push({ text, blocks, at: ctx.now });
    return { ok: true, channel, ts: message.ts, text, message: messageJson(message, ctx) };
  },

  "chat.postEphemeral": (args, ctx) => {
    const channel = resolveChannel(str(args.channel), ctx.state);
    if (channel === null) return fail("channel_not_found");
    const user = str(args.user);
    if (user === undefined || !ctx.state.users.has(user)) return fail("user_not_found");
    const text = typeof args.text === "string" ? args.text : "";
    const blocks = blocksOf(args.blocks);
    if (text === "" && !blocks) return fail("no_text");
    const problems = messageProblems(text, args.blocks);
    if (problems.length > 0) return fail("invalid_blocks", problems);
    const messageTs = ctx.state.nextTs(ctx.now);
    ctx.state.ephemerals.push({ channel, user, text, blocks, messageTs, at: ctx.now });
    return { ok: true, message_ts: messageTs };
  },

  "conversations.open": (args, ctx) => {
    const users = (str(args.users) ?? "").split(",").map((u) => u.trim()).filter(Boolean);
    if (users.length === 0) {
      const channel = str(args.channel);
      if (channel === undefined) return fail("users_list_not_supplied");
      const owner = ctx.state.userOfIm(channel);
      if (owner === null) return fail("channel_not_found");
      return { ok: true, channel: { id: channel, is_im: true, user: owner }, already_open: true };
    }
    if (users.length > 1) return fail("not_supported_by_fake_slack");
    const user = users[0]!;
    if (!ctx.state.users.has(user)) return fail("user_not_found");
    const alreadyOpen = ctx.state.ims.has(user);
    const id = ctx.state.imFor(user);
    return { ok: true, channel: { id, is_im: true, user, created: Math.floor(ctx.now / 1000) }, already_open: alreadyOpen };
  },

  "users.info": (args, ctx) => {
    const user = ctx.state.users.get(str(args.user) ?? "");
    return user ? { ok: true, user: userJson(user, ctx) } : fail("user_not_found");
  },

  "users.lookupByEmail": (args, ctx) => {
    const email = str(args.email);
    if (email === undefined) return fail("invalid_arguments");
    const user = ctx.state.userByEmail(email);
    return user ? { ok: true, user: userJson(user, ctx) } : fail("users_not_found");
  },
};

export const METHODS: Readonly<Record<string, MethodHandler>> = { ...chatMethods, ...viewMethods };
