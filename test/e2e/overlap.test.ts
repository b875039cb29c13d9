import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { activate, fileRequest, waitForComment } from "./flows.ts";

describe("overlapping grants of one person for one resource", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps the membership until the later grant ends, then removes it", async () => {
    const alice = stack.person("alice");
    const shorter = await fileRequest(stack, alice.slack, "prod-db-readonly 2s INC-60 first look");
    const longer = await fileRequest(stack, alice.slack, "prod-db-readonly 4s INC-61 longer look");
    // Both merged before either is checked, so both are live long before the shorter one ends.
    const [first, second] = await Promise.all([activate(stack, shorter), activate(stack, longer)]);
    expect(second.expiresAt!).toBeGreaterThan(first.expiresAt!);
    const firstToken = await stack.waitFor(() => stack.credentialToken(first.id), 5000, "first credential");
    const secondToken = await stack.waitFor(() => stack.credentialToken(second.id), 5000, "second credential");

    await stack.waitForGrant(first.id, ["expired"], 5000);
    await stack.settle();
    expect((await stack.grant(second.id)).state).toBe("active");
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    expect((await stack.introspect(firstToken)).body).toEqual({ active: false });
    expect((await stack.introspect(secondToken)).body.active).toBe(true);
    const firstEnd = await waitForComment(stack, shorter.pr, /Expired/);
    expect(firstEnd).toContain(`kept`);
    expect(firstEnd).toContain(second.id);
    expect(firstEnd).not.toContain("membership removed");

    await stack.waitForGrant(second.id, ["expired"], 5000);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes(alice.email), 5000, "membership removed after the later grant");
    expect((await stack.introspect(secondToken)).body).toEqual({ active: false });
    await stack.settle();
    expect(await waitForComment(stack, longer.pr, /Expired/)).toContain("membership removed (verified)");
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
