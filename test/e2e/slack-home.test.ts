import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { Stack } from "./stack.ts";
import { activate, activeGrant, fileRequest, type FiledRequest } from "./flows.ts";
import { buttonsIn, click, homeText, openHomeTab, waitForHome } from "./slack-flows.ts";

describe("the App Home tab", () => {
  let stack: Stack;
  let live: Grant;
  let pending: FiledRequest;
  beforeAll(async () => {
    stack = await Stack.start();
    const bob = stack.person("bob");
    live = await activeGrant(stack, bob.slack, "prod-db-readonly 2h INC-500 index bloat");
    pending = await fileRequest(stack, bob.slack, "snowflake-analyst 4h DATA-9 churn numbers");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("publishes my live grants with time left and Release/Extend buttons, my pending request with PR and approvals, and a Request access button", async () => {
    const bob = stack.person("bob");
    expect((await openHomeTab(stack, bob.slack)).status).toBe(200);
    const text = await waitForHome(stack, bob.slack, /Live grants/);
    expect(text).toContain("*Live grants* (1)");
    expect(text).toMatch(/\*prod-db-readonly\* · expires in \*(1h 59m|2h)/);
    expect(text).toContain(live.id);
    expect(text).toContain("approved by carol-gh");
    expect(text).toContain("*Pending requests* (1)");
    expect(text).toContain(`<https://github.test/acme/grants/pull/${pending.pr}|PR #${pending.pr}> · approvals 0 of 1`);
    const buttons = buttonsIn(stack.slack.homeView(bob.slack)!.blocks);
    expect(buttons).toEqual(expect.arrayContaining([
      expect.objectContaining({ actionId: "request_access", text: "Request access" }),
      expect.objectContaining({ actionId: "grant_extend", value: live.id }),
      expect.objectContaining({ actionId: "grant_release", value: live.id }),
      expect.objectContaining({ actionId: "open_pull_request", value: pending.grantId }),
    ]));
  });

  it("refreshes by itself when my grants change: a review arrives, a request is merged and activated", async () => {
    const bob = stack.person("bob");
    const publishes = () => stack.slack.calls("views.publish").filter((c) => c.args.user_id === bob.slack).length;
    const before = publishes();
    stack.github.setTeamMembers("acme/data-platform", ["frank-gh"]);
    stack.approve(pending.pr, "frank-gh");
    await stack.deliverReview(pending.pr);
    await waitForHome(stack, bob.slack, /approvals 1 of 1 \(frank-gh\)/);
    await activate(stack, pending, "frank-gh");
    await waitForHome(stack, bob.slack, /\*Live grants\* \(2\)/);
    expect(homeText(stack, bob.slack)).toContain("*Pending requests* (0)");
    expect(publishes()).toBeGreaterThan(before);
  });

  it("opens the request form from the Request access button", async () => {
    const bob = stack.person("bob");
    const res = await click(stack, { actionId: "request_access", userId: bob.slack, value: "home", triggerId: "trigger-home-request" });
    expect(res.status).toBe(200);
    const modal = await stack.waitFor(() => stack.slack.views({ type: "modal", callbackId: "access_request" }).find((v) => v.triggerId === "trigger-home-request"), 5000, "request modal");
    expect(JSON.stringify(modal.view)).toContain("prod-db-readonly");
  });

  it("tells someone without a visible email why their Home tab is empty", async () => {
    stack.slack.addUser({ id: "U0NOMAIL002", email: null, name: "nomail" });
    await openHomeTab(stack, "U0NOMAIL002");
    expect(await waitForHome(stack, "U0NOMAIL002", /cannot see an email address/)).toContain("people.yaml");
  });

  it("ignores the Messages tab", async () => {
    const erin = stack.person("erin");
    const { appHomeOpenedBody } = await import("../fakes/slack-signing.ts");
    expect((await stack.postSlack(appHomeOpenedBody(erin.slack, { tab: "messages" }))).status).toBe(200);
    await stack.settle();
    expect(stack.slack.homeView(erin.slack)).toBeUndefined();
  });
});
