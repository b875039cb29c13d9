/**
 * Slack rate limiting grantbot for longer than the Web API client's own retries: the messages wait
 * in the job queue and are delivered later — each exactly once — instead of being dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { fileRequest } from "./flows.ts";

const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

describe("Slack answering 429 for a while", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("delivers the credential and the end-of-grant DM once Slack lets it, and redacts the credential", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 10s INC-960 Slack throttles");
    // More 429s in a row than the Web API client retries (2): the job queue has to keep them.
    stack.slack.rateLimitNext("chat.update", 3, 1);
    stack.approve(filed.pr, "carol-gh");
    await stack.merge(filed.pr, "carol-gh");
    const grant = await stack.waitForGrant(filed.grantId, ["active"]);
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 20_000, "the credential, after the rate limit");
    expect((await stack.introspect(token)).body.active).toBe(true);
    expect(stack.slack.calls("chat.update").filter((c) => c.status === 429)).toHaveLength(3);

    stack.slack.rateLimitNext("chat.postMessage", 4, 1);
    await stack.waitForGrant(grant.id, ["expired"], 15_000);
    await stack.waitFor(() => stack.dmTexts(alice.slack).some((t) => /access to .* (expired|ended)/i.test(t) || t.includes("Group membership removed")), 20_000, "the end-of-grant DM");
    await stack.waitFor(async () => await stack.credentialToken(grant.id) === null, 20_000, "the credential DM redacted");
    await stack.settle(20_000);

    const dms = stack.slack.dmsTo(alice.slack);
    // Exactly one message ever showed this grant's token, and it no longer does.
    const withToken = dms.filter((m) => m.history.some((v) => v.text.includes(grant.id) && JWT_RE.test(v.text)));
    expect(withToken).toHaveLength(1);
    expect(JWT_RE.test(stack.slack.visibleText(withToken[0]!.channel, withToken[0]!.ts) ?? "")).toBe(false);
    // The end-of-grant DM arrived once.
    expect(stack.dmTexts(alice.slack).filter((t) => t.includes("Group membership removed"))).toHaveLength(1);
    expect(stack.slack.calls("chat.postMessage").filter((c) => c.status === 429)).toHaveLength(4);
  }, 60_000);
});
