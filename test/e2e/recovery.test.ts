import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { activeGrant } from "./flows.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("restarting grantbot", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("revokes at start-up a grant that expired while grantbot was down, without waiting for the cron sweep", async () => {
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 3s INC-40 expires while down");
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");

    await stack.grantbot.stop();
    await sleep(Math.max(0, grant.expiresAt! - Date.now()) + 500);
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email); // nobody removed it meanwhile

    await stack.startGrantbot();
    // Only the job queue runs here (the cron sweep's next run is up to a minute away).
    await stack.settle();
    const ended = await stack.grant(grant.id);
    expect(ended.state).toBe("expired");
    expect(ended.endedAt! - ended.expiresAt!).toBeGreaterThan(0);
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    expect((await stack.introspect(token)).body).toEqual({ active: false });
    expect(await stack.credentialToken(grant.id)).toBeNull();
    expect((await stack.grantbot.deps.audit.forGrant(grant.id)).filter((r) => r.action === "grant.expired")).toHaveLength(1);
  });

  it("keeps serving after the restart: a new request still goes through to a PR", async () => {
    const grant = await activeGrant(stack, stack.person("dave").slack, "prod-db-readonly 1h INC-41 after restart");
    expect(grant.state).toBe("active");
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
