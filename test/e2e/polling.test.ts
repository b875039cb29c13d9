import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { fileRequest, waitForDm } from "./flows.ts";

describe("without a webhook secret grantbot polls GitHub", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ webhook: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("does not expose the webhook endpoint", async () => {
    const res = await fetch(`${stack.url}/github/webhook`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });

  it("detects a merge without any webhook and activates the grant", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-50 polled merge");
    stack.approve(filed.pr, "carol-gh");
    stack.github.merge(filed.pr, { by: "carol-gh" });
    const active = await stack.waitForGrant(filed.grantId, ["active"], 10_000);
    expect(active.approvedBy).toEqual(["carol-gh"]);
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
  });

  it("detects a PR closed without merge and declines the request", async () => {
    const dave = stack.person("dave");
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 1h INC-51 polled close");
    stack.github.closePr(filed.pr);
    await stack.waitForGrant(filed.grantId, ["declined"], 10_000);
    await waitForDm(stack, dave.slack, /was declined/);
  });

  it("sends GitHub nothing that its API description rejects", () => {
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
