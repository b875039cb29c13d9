/**
 * The requester is who Slack says: people.yaml pairs alice@example.com with Slack user U0ALICE0001,
 * so another Slack account whose profile shows alice's address (an alias, a second account, a
 * profile edited to her email) must not file, extend or release anything as alice — otherwise it
 * could file a request as alice and approve it on GitHub as itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { Stack } from "./stack.ts";
import { activeGrant, ephemeralReplies } from "./flows.ts";
import { openHomeTab, waitForHome } from "./slack-flows.ts";

const IMPOSTOR = "U0IMPOSTOR1";
const REFUSED = "⚠️ grants/people.yaml gives your email address to another Slack account; ask the platform team to fix it if the address is yours.";

describe("a Slack account whose profile email belongs to someone else's people.yaml entry", () => {
  let stack: Stack;
  let alices: Grant;
  beforeAll(async () => {
    stack = await Stack.start();
    alices = await activeGrant(stack, stack.person("alice").slack, "prod-db-readonly 1h INC-500 replica lag");
    await stack.settle();
    stack.slack.addUser({ id: IMPOSTOR, email: "Alice@Example.com", name: "alice-alias" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const grantCount = async () => (await stack.grantbot.deps.grants.listBySubject(stack.person("alice").email, ["requested", "pr_open", "approved", "active", "released", "expired", "declined", "rejected", "cancelled", "revoked"])).length;
  /** GitHub calls other than the background refresh of the policy files (main.ts, every 60 s). */
  const githubCalls = () => stack.github.calls().filter((c) => !(c.method === "GET" && /grants\/(catalog|people)\.yaml$/.test(c.path)));

  it.each([
    ["a request typed as `/access <resource> <duration> <reason>`", "prod-db-readonly 1h INC-501 as alice", 2],
    ["an extension of alice's grant", () => `extend ${alices.id} 1h`, 1],
    ["a release of alice's grant", () => `release ${alices.id}`, 1],
  ] as const)("refuses %s with a sentence and a next step, opening no PR and calling GitHub not at all", async (_what, text, replies) => {
    const before = await grantCount();
    stack.github.resetCalls();
    const { texts } = await ephemeralReplies(stack, IMPOSTOR, typeof text === "string" ? text : text(), replies);
    expect(texts.join("\n")).toContain(REFUSED);
    await stack.settle();
    expect(await grantCount()).toBe(before);
    expect((await stack.grant(alices.id)).state).toBe("active");
    expect(stack.github.pulls().filter((p) => p.state === "open")).toEqual([]);
    expect(githubCalls()).toEqual([]);
  });

  it("refuses the request form's submission in the form itself, opening no PR and calling GitHub not at all", async () => {
    const before = await grantCount();
    stack.github.resetCalls();
    const res = await stack.submitModal(IMPOSTOR, { resource: "prod-db-readonly", duration: "1h", reason: "INC-502 as alice" });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.values(body.errors)).toEqual([REFUSED]);
    await stack.settle();
    expect(await grantCount()).toBe(before);
    expect(githubCalls()).toEqual([]);
  });

  it("refuses the extension form of alice's grant submitted from the other account", async () => {
    const before = await grantCount();
    stack.github.resetCalls();
    const res = await stack.submitModal(IMPOSTOR, { resource: "", duration: "1h", reason: "INC-503 as alice" }, JSON.stringify({ extends: alices.id }));
    const body = JSON.parse(res.text) as { response_action: string; errors: Record<string, string> };
    expect(Object.values(body.errors)).toEqual([REFUSED]);
    await stack.settle();
    expect(await grantCount()).toBe(before);
    expect(githubCalls()).toEqual([]);
  });

  it("shows the other account a Home tab that explains the refusal, never alice's grants", async () => {
    await openHomeTab(stack, IMPOSTOR);
    const home = await waitForHome(stack, IMPOSTOR, /another Slack account/);
    expect(home).toContain("ask the platform team to fix it if the address is yours");
    expect(home).not.toContain(alices.id);
  });

  it("still files alice's own request from her Slack account", async () => {
    const { texts } = await ephemeralReplies(stack, stack.person("alice").slack, "prod-db-readonly 30m INC-504 her own", 2);
    expect(texts.join("\n")).toMatch(/Request `[0-9A-Z]{26}` filed/);
  });
});
