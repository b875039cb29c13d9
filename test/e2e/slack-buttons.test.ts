import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateValue, viewSubmissionBody } from "../fakes/slack-signing.ts";
import { Stack } from "./stack.ts";
import { activeGrant, waitForDm } from "./flows.ts";
import { buttonsIn, click, openHomeTab, responseTexts, waitForHome } from "./slack-flows.ts";

describe("Release and Extend buttons", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
    stack.github.setTeamMembers("acme/dba", ["bob-gh"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("puts Extend and Release on the credential DM", async () => {
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-600 the credential DM");
    await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");
    const ref = (await stack.grant(grant.id)).credentialMessage!;
    const dm = stack.slack.message(ref.channel, ref.ts)!;
    expect(buttonsIn(dm.blocks).map((b) => [b.actionId, b.value])).toEqual([
      ["grant_extend", grant.id],
      ["grant_release", grant.id],
    ]);
  });

  it("does not let another user release my grant with the button", async () => {
    const alice = stack.person("alice");
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-601 not dave's");
    const res = await click(stack, { actionId: "grant_release", userId: dave.slack, value: grant.id });
    expect(res.status).toBe(200);
    await waitForDm(stack, dave.slack, new RegExp(`grant ${grant.id} is not yours. Only the person who holds a grant can release or extend it`));
    await stack.settle();
    expect((await stack.grant(grant.id)).state).toBe("active");
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
  });

  it("does not open another user's extension form", async () => {
    const alice = stack.person("alice");
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-602 not dave's either");
    const modals = stack.slack.views({ type: "modal" }).length;
    const res = await click(stack, { actionId: "grant_extend", userId: dave.slack, value: grant.id, message: { channel: "D0DAVE0001", ts: "1.000001" }, withResponseUrl: true });
    await stack.waitFor(() => responseTexts(stack, res.responseId!).length > 0, 5000, "ephemeral answer");
    expect(responseTexts(stack, res.responseId!)[0]).toContain(`grant ${grant.id} is not yours`);
    expect(stack.slack.views({ type: "modal" })).toHaveLength(modals);
  });

  it("releases my grant from the Home tab and shows the tab without it", async () => {
    const carol = stack.person("carol");
    const grant = await activeGrant(stack, carol.slack, "prod-db-readonly 1h INC-603 done early", "bob-gh");
    await openHomeTab(stack, carol.slack);
    await waitForHome(stack, carol.slack, new RegExp(grant.id));
    await click(stack, { actionId: "grant_release", userId: carol.slack, value: grant.id });
    await stack.waitForGrant(grant.id, ["released"]);
    await waitForHome(stack, carol.slack, /\*Live grants\* \(0\)/);
    await stack.settle();
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(carol.email);
    await waitForDm(stack, carol.slack, /access to \*prod-db-readonly\* for 1h was released/);
  });

  it("answers a Release under a message right there (ephemeral, via response_url)", async () => {
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, dave.slack, "prod-db-readonly 1h INC-604 via the DM button");
    const res = await click(stack, { actionId: "grant_release", userId: dave.slack, value: grant.id, message: { channel: "D0DAVE0001", ts: "1.000002" }, withResponseUrl: true });
    await stack.waitFor(() => responseTexts(stack, res.responseId!).length > 0, 5000, "ephemeral answer");
    expect(responseTexts(stack, res.responseId!)[0]).toContain(`🔓 Releasing \`${grant.id}\``);
    await stack.waitForGrant(grant.id, ["released"]);
  });

  it("opens a prefilled extension form, and its submission files an extension of that grant", async () => {
    const frank = stack.person("frank");
    stack.github.setTeamMembers("acme/data-platform", ["dave-gh"]);
    const grant = await activeGrant(stack, frank.slack, "snowflake-analyst 2h DATA-10 month end", "dave-gh");
    await click(stack, { actionId: "grant_extend", userId: frank.slack, value: grant.id, triggerId: "trigger-extend-1" });
    const modal = await stack.waitFor(() => stack.slack.views({ type: "modal" }).find((v) => v.triggerId === "trigger-extend-1"), 5000, "extension form");
    const view = modal.view as { private_metadata: string; title: { text: string } };
    expect(view.title.text).toBe("Extend access");
    expect(JSON.parse(view.private_metadata)).toEqual({ extends: grant.id });
    expect(JSON.stringify(modal.view)).toContain(`extension of ${grant.id}: DATA-10 month end`);

    const body = viewSubmissionBody({
      callbackId: "access_request",
      userId: frank.slack,
      privateMetadata: view.private_metadata,
      values: { duration: { duration_input: stateValue.text("3h") }, reason: { reason_input: stateValue.text(`extension of ${grant.id}: DATA-10 month end`) } },
    });
    expect((await stack.postSlack(body)).status).toBe(200);
    const extension = await stack.waitFor(async () => (await stack.grantbot.deps.grants.listBySubject(frank.email, ["requested", "pr_open"])).find((g) => g.extends === grant.id), 5000, "the extension request");
    expect(extension).toMatchObject({ resource: "snowflake-analyst", durationMs: 3 * 3600_000 });
    await waitForDm(stack, frank.slack, new RegExp(`an extension of \`${grant.id}\``));
  });

  it("refuses an extension form asking for more than the resource allows, on the duration field", async () => {
    const frank = stack.person("frank");
    const grant = (await stack.grantbot.deps.grants.listBySubject(frank.email, ["active"]))[0]!;
    const body = viewSubmissionBody({
      callbackId: "access_request",
      userId: frank.slack,
      privateMetadata: JSON.stringify({ extends: grant.id }),
      values: { duration: { duration_input: stateValue.text("2d") }, reason: { reason_input: stateValue.text("more") } },
    });
    const res = await stack.postSlack(body);
    expect(JSON.parse(res.text)).toEqual({ response_action: "errors", errors: { duration: "snowflake-analyst allows at most 1d; ask for 1d or less" } });
  });
});
