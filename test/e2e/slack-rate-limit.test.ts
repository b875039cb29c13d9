import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { fileRequest, waitForDm } from "./flows.ts";
import { openHomeTab, waitForCard, waitForHome } from "./slack-flows.ts";

describe("Slack rate limits", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("retries a DM answered with HTTP 429 after Retry-After instead of dropping it", async () => {
    const alice = stack.person("alice");
    stack.slack.rateLimitNext("chat.postMessage", 1, 1);
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-800 during a rate limit");
    await waitForDm(stack, alice.slack, new RegExp(`PR #${filed.pr}`), 8000);
    const posts = stack.slack.calls("chat.postMessage");
    const limited = posts.find((c) => c.status === 429);
    expect(limited).toBeDefined();
    // The retry came no earlier than the Retry-After second.
    const retried = posts.find((c) => c.status === 200 && c.at >= limited!.at);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(900);
  });

  it("retries request-card updates and Home tab publishes that were rate limited", async () => {
    const dave = stack.person("dave");
    await openHomeTab(stack, dave.slack);
    await waitForHome(stack, dave.slack, /Live grants/);
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 1h INC-801 card under rate limit");
    await waitForCard(stack, filed.grantId, /Waiting for review/);
    stack.slack.rateLimitNext("chat.update", 1, 1);
    stack.slack.rateLimitNext("views.publish", 1, 1);
    stack.approve(filed.pr, "carol-gh");
    await stack.deliverReview(filed.pr);
    await waitForCard(stack, filed.grantId, /1 of 1/, 10_000);
    await waitForHome(stack, dave.slack, /approvals 1 of 1/, 10_000);
    expect(stack.slack.calls("chat.update").filter((c) => c.status === 429)).toHaveLength(1);
    expect(stack.slack.calls("views.publish").filter((c) => c.status === 429)).toHaveLength(1);
  });

  it("keeps a DM that Slack refused with `ratelimited` in the job queue until it goes through", async () => {
    const erin = stack.person("erin");
    stack.slack.failNext("chat.postMessage", "ratelimited", 3);
    const filed = await fileRequest(stack, erin.slack, "break-glass-admin 30m INC-802 sev1 while Slack throttles");
    await waitForDm(stack, erin.slack, new RegExp(`PR #${filed.pr}`), 15_000);
  });
});
