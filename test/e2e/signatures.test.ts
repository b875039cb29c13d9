import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent, signWebhook } from "../fakes/github-webhooks.ts";
import { slashCommandBody } from "../fakes/slack-signing.ts";
import { Stack, WEBHOOK_SECRET } from "./stack.ts";
import { fileRequest } from "./flows.ts";

const nowSec = () => Math.floor(Date.now() / 1000);

describe("signed requests and duplicate deliveries", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const requestBody = () => slashCommandBody({ text: "prod-db-readonly 1h INC-30 forged", userId: stack.person("alice").slack, responseUrl: stack.slack.responseUrl() });

  it.each([
    ["signed with the wrong secret", { secret: "not-the-signing-secret" }],
    ["older than 5 minutes", { timestampSec: nowSec() - 6 * 60 }],
    ["timestamped 6 minutes in the future", { timestampSec: nowSec() + 6 * 60 }],
    ["without a signature", { headers: { "x-slack-signature": "" } }],
  ])("answers a Slack request %s with 401 and files nothing", async (_what, opts) => {
    const before = (await stack.latestGrant())?.id;
    const res = await stack.postSlack(requestBody(), opts);
    expect(res.status).toBe(401);
    expect((await stack.latestGrant())?.id).toBe(before);
  });

  it("accepts a correctly signed Slack request", async () => {
    const res = await stack.postSlack(requestBody());
    expect(res.status).toBe(200);
  });

  it.each([
    ["signed with the wrong secret", async (payload: unknown) => (await signWebhook("pull_request", payload, "not-the-webhook-secret")).headers],
    ["with a malformed signature", async (payload: unknown) => ({ ...(await signWebhook("pull_request", payload, WEBHOOK_SECRET)).headers, "x-hub-signature-256": "sha256=zz" })],
    ["without a signature", async (payload: unknown) => {
      const { "x-hub-signature-256": _dropped, ...rest } = (await signWebhook("pull_request", payload, WEBHOOK_SECRET)).headers;
      return rest;
    }],
  ])("answers a GitHub webhook %s with 401 and does not act on it", async (_what, headersFor) => {
    const filed = await fileRequest(stack, stack.person("dave").slack, "prod-db-readonly 1h INC-31 unsigned merge");
    stack.approve(filed.pr, "carol-gh");
    stack.github.merge(filed.pr, { by: "carol-gh" });
    const payload = pullRequestEvent(stack.github, filed.pr);
    const res = await fetch(`${stack.url}/github/webhook`, { method: "POST", headers: await headersFor(payload), body: JSON.stringify(payload) });
    expect(res.status).toBe(401);
    await stack.settle();
    expect((await stack.grant(filed.grantId)).state).toBe("pr_open");
  });

  it("answers introspection without its bearer token with 401", async () => {
    const res = await stack.introspect("eyJhbGciOiJFZERTQSJ9.e30.sig", "wrong-token");
    expect(res.status).toBe(401);
  });

  it("activates exactly once when the same merge is delivered twice with one delivery id and again with another", async () => {
    const bob = stack.person("bob");
    const filed = await fileRequest(stack, bob.slack, "prod-db-readonly 1h INC-32 duplicate deliveries");
    await stack.settle();
    const scim = stack.scim.get("aws")!;
    scim.clearRequests();
    stack.approve(filed.pr, "carol-gh");
    stack.github.merge(filed.pr, { by: "carol-gh" });
    const payload = pullRequestEvent(stack.github, filed.pr);
    const first = await stack.deliver("pull_request", payload, { deliveryId: "delivery-merge-1" });
    const again = await Promise.all([
      stack.deliver("pull_request", payload, { deliveryId: "delivery-merge-1" }),
      stack.deliver("pull_request", payload, { deliveryId: "delivery-merge-2" }),
      stack.deliver("pull_request", payload, { deliveryId: "delivery-merge-3" }),
    ]);
    expect(first.status).toBe(202);
    expect(again.map((r) => r.status).every((s) => s === 200 || s === 202)).toBe(true);

    await stack.waitForGrant(filed.grantId, ["active"]);
    await stack.settle();
    const adds = scim.requests().filter((r) => r.method === "PATCH" && JSON.stringify(r.body).includes('"op":"add"'));
    expect(adds).toHaveLength(1);
    expect(stack.members("aws", "prod-db-readonly").filter((m) => m === bob.email)).toHaveLength(1);
    expect(await stack.grantbot.deps.credentials.forGrant(filed.grantId)).toHaveLength(1);
    expect(stack.github.comments(filed.pr).filter((c) => c.includes("Active until"))).toHaveLength(1);
    expect(stack.dmTexts(bob.slack).filter((t) => t.includes(filed.grantId) && t.includes("is active until"))).toHaveLength(1);
    expect((await stack.grantbot.deps.audit.forGrant(filed.grantId)).filter((r) => r.action === "grant.activated")).toHaveLength(1);
  });

  it("sends GitHub nothing that its API description rejects", () => {
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
