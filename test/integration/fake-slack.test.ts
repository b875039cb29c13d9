import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, webApi } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeSlack } from "../fakes/fake-slack/index.ts";
import { appHomeOpenedBody, blockActionsBody, postSigned, signSlackRequest, slashCommandBody, stateValue, viewSubmissionBody } from "../fakes/slack-signing.ts";

const { WebClient, ErrorCode } = webApi;
const ALICE = { id: "U0ALICE0001", email: "Alice@Example.com", name: "alice", tz: "Europe/Paris" };
const SIGNING_SECRET = "fake-signing-secret";

let slack: FakeSlack;
let client: InstanceType<typeof WebClient>;

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.reset();
  slack.addUser(ALICE);
  client = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
});

describe("fake Slack Web API with the real WebClient", () => {
  it("DMs a user id through the app's IM channel and keeps the current text after updates", async () => {
    const posted = await client.chat.postMessage({ channel: ALICE.id, text: "your token: ```eyJhbGciOi.secret```" });
    expect(posted.channel).toMatch(/^D/);
    expect(slack.dmsTo(ALICE.id).map((m) => m.ts)).toEqual([posted.ts]);

    await client.chat.update({ channel: posted.channel!, ts: posted.ts!, text: "Access ended; token removed.", blocks: [] });
    expect(slack.currentText(posted.channel!, posted.ts!)).toBe("Access ended; token removed.");
    expect(slack.visibleText(posted.channel!, posted.ts!)).not.toContain("secret");
    expect(slack.message(posted.channel!, posted.ts!)?.history).toHaveLength(2);

    const opened = await client.conversations.open({ users: ALICE.id });
    expect(opened.channel?.id).toBe(posted.channel);
  });

  it("keeps the old text when chat.update sends only blocks, so a redaction must replace the text", async () => {
    const posted = await client.chat.postMessage({ channel: ALICE.id, text: "token abc" });
    await client.chat.update({ channel: posted.channel!, ts: posted.ts!, blocks: [{ type: "section", text: { type: "mrkdwn", text: "gone" } }] });
    expect(slack.visibleText(posted.channel!, posted.ts!)).toContain("token abc");
  });

  it("answers users.info and a case-insensitive users.lookupByEmail from the configured users", async () => {
    const info = await client.users.info({ user: ALICE.id });
    expect(info.user).toMatchObject({ id: ALICE.id, name: "alice", tz: "Europe/Paris", profile: { email: ALICE.email } });
    const found = await client.users.lookupByEmail({ email: "alice@example.COM" });
    expect(found.user?.id).toBe(ALICE.id);
    await expect(client.users.lookupByEmail({ email: "nobody@example.com" })).rejects.toMatchObject({
      code: ErrorCode.PlatformError, data: { error: "users_not_found" },
    });
  });

  it("stores the published home tab and refuses a modal whose title is over Slack's 24 characters", async () => {
    await client.views.publish({ user_id: ALICE.id, view: { type: "home", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Your grants*" } }] } });
    expect(slack.homeView(ALICE.id)).toMatchObject({ type: "home" });
    await expect(client.views.open({
      trigger_id: "t1",
      view: { type: "modal", title: { type: "plain_text", text: "Request just-in-time access" }, blocks: [] },
    })).rejects.toMatchObject({ data: { error: "invalid_arguments" } });
  });

  it("answers invalid_auth to a wrong token", async () => {
    const wrong = new WebClient("xoxb-wrong", { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
    expect(slack.calls("auth.test")[0]).toMatchObject({ ok: false, error: "invalid_auth" });
  });

  it("accepts a JSON body with the token in the body, and records the call arguments without it", async () => {
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ token: slack.token, channel: "C0OPS000001", text: "drift found" }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: "C0OPS000001" });
    expect(slack.calls("chat.postMessage")[0]?.args).toEqual({ channel: "C0OPS000001", text: "drift found" });
  });

  it("surfaces an injected 429 as a rate-limit error carrying Retry-After", async () => {
    slack.rateLimitNext("chat.postMessage", 1, 7);
    const strict = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
    await expect(strict.chat.postMessage({ channel: ALICE.id, text: "hi" })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError, retryAfter: 7,
    });
    expect(slack.calls("chat.postMessage")[0]).toMatchObject({ status: 429, error: "ratelimited" });
  });

  it("lets a retrying client succeed after waiting Retry-After", async () => {
    slack.rateLimitNext("chat.postMessage", 1, 1);
    const patient = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 }, logLevel: LogLevel.ERROR });
    const posted = await patient.chat.postMessage({ channel: ALICE.id, text: "hi" });
    expect(posted.ok).toBe(true);
    const [first, second] = slack.calls("chat.postMessage");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it("answers an injected platform error once, then normally", async () => {
    slack.failNext("users.info", "fatal_error");
    await expect(client.users.info({ user: ALICE.id })).rejects.toMatchObject({ data: { error: "fatal_error" } });
    await expect(client.users.info({ user: ALICE.id })).resolves.toMatchObject({ ok: true });
  });
});

describe("Bolt in HTTP mode, driven by signed requests, talking to the fake", () => {
  let server: Server;
  let app: App;
  let events: string;

  beforeAll(async () => {
    app = new App({
      token: slack.token, signingSecret: SIGNING_SECRET, botId: slack.botId, botUserId: slack.botUserId,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }, logLevel: LogLevel.ERROR,
    });
    app.command("/access", async ({ ack, respond, command, client: c }) => {
      await ack({ text: `got "${command.text}"` });
      await respond({ text: "on its way", response_type: "ephemeral" });
      await c.chat.postMessage({ channel: command.user_id, text: "request filed" });
    });
    app.view("request_access", async ({ ack, view }) => {
      await ack({ response_action: "errors", errors: { reason: `said ${view.state.values.reason?.text?.value}` } });
    });
    app.action("release", async ({ ack, respond }) => {
      await ack();
      await respond({ text: "released", replace_original: true });
    });
    app.event("app_home_opened", async ({ event, client: c }) => {
      await c.views.publish({ user_id: event.user, view: { type: "home", blocks: [] } });
    });
    server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
    events = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await app.stop();
  });

  it("acks a signed slash command in the HTTP body and delivers response_url and DM follow-ups", async () => {
    const responseUrl = slack.responseUrl("cmd-1");
    const res = await postSigned(events, slashCommandBody({ text: "prod-db 1h INC-1", userId: ALICE.id, responseUrl }), SIGNING_SECRET);
    expect(await res.json()).toEqual({ text: 'got "prod-db 1h INC-1"' });
    const [reply] = await slack.waitFor(() => slack.responses("cmd-1").length > 0 && slack.responses("cmd-1"));
    expect(reply!.payload).toMatchObject({ text: "on its way" });
    await slack.waitFor(() => slack.dmsTo(ALICE.id).length === 1);
  });

  it("rejects a request with a bad signature with 401", async () => {
    const body = slashCommandBody({ text: "help", userId: ALICE.id, responseUrl: slack.responseUrl() });
    const res = await fetch(events, { method: "POST", headers: signSlackRequest(body, "not-the-secret"), body });
    expect(res.status).toBe(401);
  });

  it("delivers view submissions, block actions and app_home_opened events", async () => {
    const submit = await postSigned(events, viewSubmissionBody({
      callbackId: "request_access", userId: ALICE.id, values: { reason: { text: stateValue.text("INC-9") } },
    }), SIGNING_SECRET);
    expect(await submit.json()).toEqual({ response_action: "errors", errors: { reason: "said INC-9" } });

    const responseUrl = slack.responseUrl("btn");
    await postSigned(events, blockActionsBody({ actionId: "release", userId: ALICE.id, responseUrl, message: { channel: "D0ALICE0001", ts: "1.1" } }), SIGNING_SECRET);
    await slack.waitFor(() => slack.responses("btn").length === 1);

    expect((await postSigned(events, appHomeOpenedBody(ALICE.id), SIGNING_SECRET)).status).toBe(200);
    await slack.waitFor(() => slack.homeView(ALICE.id));
  });
});
