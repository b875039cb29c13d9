import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { activeGrant, fileRequest } from "./flows.ts";
import { revokeGrant } from "../../src/services/grants/grant-commands.ts";
import { cardCopies, cardHistory, channelCard, waitForCard } from "./slack-flows.ts";

describe("the live request card", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
    // bob reviews as a member of the DBA team; carol is listed by login in the catalog.
    stack.github.setTeamMembers("acme/dba", ["bob-gh"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is posted to the resource's channel and DMed to each approver when the PR opens", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-300 replica lag");
    const text = await waitForCard(stack, filed.grantId, /Waiting for review/);
    expect(text).toContain("prod-db-readonly for alice@example.com (1h)");
    expect(text).toContain("0 of 1 approval");
    const card = (await channelCard(stack, filed.grantId))!;
    expect(card.channel).toBe("C0DBA00001");
    const visible = stack.slack.visibleText(card.channel, card.ts)!;
    for (const part of ["<@U0ALICE0001>", "INC-300 replica lag", `PR #${filed.pr}`, "1h", filed.grantId]) expect(visible).toContain(part);

    await stack.waitFor(async () => (await cardCopies(stack, filed.grantId)).length === 3, 5000, "channel card + 2 approver DMs");
    const dmed = (await cardCopies(stack, filed.grantId)).filter((c) => c.audience === "approver").map((c) => c.recipient).sort();
    expect(dmed).toEqual(["bob@example.com", "carol@example.com"]);
    expect(stack.dmTexts(stack.person("carol").slack).join("\n")).toContain("Waiting for review");
    // The requester is never asked to approve their own request.
    expect((await cardCopies(stack, filed.grantId)).map((c) => c.recipient)).not.toContain(alice.email);
  });

  it("is updated through review, merge, activation and expiry, naming the approver, in every copy", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 3s INC-301 quick look");
    await stack.waitFor(async () => (await cardCopies(stack, filed.grantId)).length === 3, 5000, "card copies posted");

    stack.approve(filed.pr, "carol-gh");
    expect((await stack.deliverReview(filed.pr)).body).toEqual({ outcome: "checking" });
    const reviewed = await waitForCard(stack, filed.grantId, /1 of 1 approval/);
    expect(reviewed).toContain("approved by carol-gh");
    const card = (await channelCard(stack, filed.grantId))!;
    expect(stack.slack.visibleText(card.channel, card.ts)).toContain("<@U0CAROL0001> (carol-gh)");
    await stack.waitFor(() => stack.dmTexts(alice.slack).find((t) => /Review on your request/.test(t) && t.includes("carol-gh")), 5000, "review DM to the requester");

    await stack.merge(filed.pr, "carol-gh");
    const active = await waitForCard(stack, filed.grantId, /Active until/);
    expect(active).toContain("approved by carol-gh");
    const expired = await waitForCard(stack, filed.grantId, /Ended at .*expired/, 8000);
    expect(expired).toContain("approved by carol-gh");

    const history = await cardHistory(stack, filed.grantId);
    const stage = (re: RegExp) => history.findIndex((t) => re.test(t));
    expect(stage(/0 of 1/)).toBeGreaterThanOrEqual(0);
    expect(stage(/0 of 1/)).toBeLessThan(stage(/1 of 1/));
    expect(stage(/1 of 1/)).toBeLessThan(stage(/Active until/));
    expect(stage(/Active until/)).toBeLessThan(stage(/expired/));
    // Every copy (channel and approver DMs) shows the final state: no stale card anywhere.
    await stack.settle();
    for (const copy of await cardCopies(stack, filed.grantId)) {
      expect(stack.slack.currentText(copy.channel, copy.ts)).toMatch(/Ended at .*expired/);
    }
  });

  it("says a declined request ended and why", async () => {
    const filed = await fileRequest(stack, stack.person("dave").slack, "prod-db-readonly 1h INC-302 not needed after all");
    await waitForCard(stack, filed.grantId, /Waiting for review/);
    await stack.close(filed.pr);
    expect(await waitForCard(stack, filed.grantId, /Declined/)).toContain("closed without merging");
  });

  it("says a merge without enough approvals was not activated, and why", async () => {
    const filed = await fileRequest(stack, stack.person("dave").slack, "prod-db-readonly 1h INC-303 merged too early");
    await waitForCard(stack, filed.grantId, /Waiting for review/);
    await stack.merge(filed.pr, "dave-gh");
    expect(await waitForCard(stack, filed.grantId, /not activated/)).toMatch(/needs 1 approval/);
  });

  it("says an operator revoked an active grant", async () => {
    const grant = await activeGrant(stack, stack.person("dave").slack, "prod-db-readonly 1h INC-305 revoked by ops");
    await waitForCard(stack, grant.id, /Active until/);
    await revokeGrant(stack.grantbot.deps, grant.id, "ops@example.com");
    expect(await waitForCard(stack, grant.id, /Ended at/)).toContain("revoked by an operator");
  });

  it("goes to the ops channel for a resource without slack_channel", async () => {
    const filed = await fileRequest(stack, stack.person("frank").slack, "snowflake-analyst 2h DATA-7 quarterly numbers");
    await waitForCard(stack, filed.grantId, /Waiting for review/);
    expect((await channelCard(stack, filed.grantId))!.channel).toBe("C0OPS00001");
  });

  it("keeps updating the same messages after a restart", async () => {
    const filed = await fileRequest(stack, stack.person("dave").slack, "prod-db-readonly 1h INC-304 across a restart");
    await waitForCard(stack, filed.grantId, /Waiting for review/);
    const before = (await channelCard(stack, filed.grantId))!;
    await stack.restart();
    stack.approve(filed.pr, "carol-gh");
    await stack.deliverReview(filed.pr);
    await waitForCard(stack, filed.grantId, /1 of 1/);
    const after = (await channelCard(stack, filed.grantId))!;
    expect([after.channel, after.ts]).toEqual([before.channel, before.ts]);
    const copies = stack.slack.messages("C0DBA00001").filter((m) => stack.slack.visibleText(m.channel, m.ts)!.includes(filed.grantId));
    expect(copies).toHaveLength(1);
  });
});

describe("the request card without webhooks", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ webhook: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("picks up approvals by polling", async () => {
    const filed = await fileRequest(stack, stack.person("alice").slack, "prod-db-readonly 1h INC-310 polled review");
    await waitForCard(stack, filed.grantId, /0 of 1/);
    stack.approve(filed.pr, "carol-gh");
    expect(await waitForCard(stack, filed.grantId, /1 of 1 approval · approved by carol-gh/, 8000)).toContain("Waiting for review");
  });
});
