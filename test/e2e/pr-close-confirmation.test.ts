/**
 * A signed `pull_request.closed` payload that says "not merged" is a claim, not a fact: it may be
 * stale, or crafted by anyone holding the webhook secret. grantbot reads the PR from GitHub before
 * declining: merged there -> the merge check runs; still open -> nothing; closed unmerged ->
 * declined, once, however often the delivery arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestPayload } from "../fakes/github-webhooks.ts";
import { Stack } from "./stack.ts";
import { fileRequest, waitForDm } from "./flows.ts";

describe("a closed, unmerged pull_request webhook", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A correctly signed "closed without merge" payload for `pr`, whatever the PR's real state. */
  const claimClosedUnmerged = (pr: number, deliveryId?: string) => {
    const real = stack.github.pull(pr);
    const payload = pullRequestPayload("closed", { repository: "acme/grants", number: pr, headSha: real.headSha, headRef: real.headRef, merged: false });
    return stack.deliver("pull_request", payload, deliveryId ? { deliveryId } : {});
  };
  const actions = async (grantId: string) => (await stack.grantbot.deps.audit.forGrant(grantId)).map((r) => r.action);
  const declinedDms = (slackId: string) => stack.dmTexts(slackId).filter((t) => /was declined|closed without merging/.test(t));

  it("does not decline a request whose PR GitHub says is merged: the merge check runs and activates it", async () => {
    const bob = stack.person("bob");
    const filed = await fileRequest(stack, bob.slack, "prod-db-readonly 1h INC-600 stale close payload");
    stack.approve(filed.pr, "carol-gh");
    stack.github.merge(filed.pr, { by: "carol-gh" });
    const res = await claimClosedUnmerged(filed.pr);
    expect(res).toMatchObject({ status: 202, body: { outcome: "confirming" } });
    await stack.waitForGrant(filed.grantId, ["active"]);
    await stack.settle();
    expect(await actions(filed.grantId)).not.toContain("grant.declined");
    expect(await actions(filed.grantId)).toContain("grant.approved");
    expect(declinedDms(bob.slack)).toEqual([]);
  });

  it("changes nothing for a PR that GitHub says is still open, which can then be merged as usual", async () => {
    const dave = stack.person("dave");
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 1h INC-601 crafted close payload");
    stack.github.resetCalls();
    const res = await claimClosedUnmerged(filed.pr);
    expect(res).toMatchObject({ status: 202, body: { outcome: "confirming" } });
    await stack.settle();
    expect((await stack.grant(filed.grantId)).state).toBe("pr_open");
    expect(stack.github.calls().some((c) => c.method === "GET" && c.path.endsWith(`/pulls/${filed.pr}`))).toBe(true);
    expect(stack.github.calls().filter((c) => c.method !== "GET")).toEqual([]);
    expect(await actions(filed.grantId)).not.toContain("grant.declined");
    expect(declinedDms(dave.slack)).toEqual([]);

    stack.approve(filed.pr, "carol-gh");
    expect((await stack.merge(filed.pr)).status).toBe(202);
    await stack.waitForGrant(filed.grantId, ["active"]);
  });

  it("declines a request whose PR GitHub says is closed unmerged, once, however often the delivery arrives", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-602 not needed");
    expect(await stack.close(filed.pr, { deliveryId: "close-602" })).toMatchObject({ status: 202, body: { outcome: "confirming" } });
    // The same delivery again (GitHub's redelivery keeps the id), and the same event under another id.
    expect((await claimClosedUnmerged(filed.pr, "close-602")).status).toBe(200);
    expect((await claimClosedUnmerged(filed.pr, "close-602-again")).status).toBe(202);
    await stack.waitForGrant(filed.grantId, ["declined"]);
    await waitForDm(stack, alice.slack, /closed without merging/);
    await stack.settle();
    expect((await actions(filed.grantId)).filter((a) => a === "grant.declined")).toHaveLength(1);
    expect(declinedDms(alice.slack)).toHaveLength(1);
  });

  it("a signed 'merged' claim about a PR that is still open does not use up the check of its real merge", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-603 premature merged payload");
    const real = stack.github.pull(filed.pr);
    const crafted = pullRequestPayload("closed", { repository: "acme/grants", number: filed.pr, headSha: real.headSha, headRef: real.headRef, merged: true });
    expect((await stack.deliver("pull_request", crafted)).status).toBe(202);
    await stack.settle();
    expect((await stack.grant(filed.grantId)).state).toBe("pr_open");

    stack.approve(filed.pr, "carol-gh");
    expect((await stack.merge(filed.pr)).status).toBe(202);
    const grant = await stack.waitForGrant(filed.grantId, ["active", "rejected"]);
    expect(grant.state).toBe("active");
  });
});
