import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Stack } from "./stack.ts";
import { ephemeralReplies, fileRequest, waitForDm } from "./flows.ts";

interface CatalogEntry {
  description: string;
  duration: { max: string };
}

describe("requesting access from Slack", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("opens the request modal listing every catalog resource with its description and maximum duration", async () => {
    const bob = stack.person("bob");
    const ack = await stack.slash("", bob.slack, { triggerId: "trigger-modal-1" });
    expect(ack.status).toBe(200);
    const opened = await stack.waitFor(() => stack.slack.calls("views.open").find((c) => c.args.trigger_id === "trigger-modal-1"), 5000, "views.open");
    expect(opened.ok).toBe(true);

    const view = opened.args.view as { callback_id: string; blocks: Array<{ block_id?: string; element?: { options?: Array<{ value: string; description?: { text: string } }> } }> };
    expect(view.callback_id).toBe("access_request");
    const options = view.blocks.find((b) => b.block_id === "resource")?.element?.options ?? [];
    const catalog = (parse(stack.github.fileAt("main", "grants/catalog.yaml")!) as { resources: Record<string, CatalogEntry> }).resources;
    expect(options.map((o) => o.value).sort()).toEqual(Object.keys(catalog).sort());
    for (const option of options) {
      const entry = catalog[option.value]!;
      expect(option.description?.text).toContain(`max ${entry.duration.max}`);
      expect(option.description?.text).toContain(entry.description);
    }
  });

  it("files a request submitted through the modal and opens its pull request", async () => {
    const bob = stack.person("bob");
    const submitted = await stack.submitModal(bob.slack, { resource: "prod-db-readonly", duration: "2h", reason: "INC-7 slow queries on the replica" });
    expect(submitted.status).toBe(200);
    expect(submitted.text).not.toContain("errors");

    const grant = await stack.waitFor(async () => (await stack.latestGrant())?.requester === bob.email && await stack.latestGrant(), 5000, "bob's grant");
    expect(grant).toMatchObject({ resource: "prod-db-readonly", subject: bob.email, durationMs: 2 * 3600_000, reason: "INC-7 slow queries on the replica" });
    const pr = await stack.waitForPr(grant.id);
    expect(stack.github.pull(pr).headRef).toBe(`grant/${grant.id}`);
    expect(await waitForDm(stack, bob.slack, /request for \*prod-db-readonly\* for 2h is open as <https:\/\/github\.test\/acme\/grants\/pull\/\d+\|PR #\d+>/)).toContain(`PR #${pr}`);
  });

  it("files a request typed directly as `/access <resource> <duration> <reason>`", async () => {
    const dave = stack.person("dave");
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 30m INC-8 check a migration");
    expect(await stack.grant(filed.grantId)).toMatchObject({ resource: "prod-db-readonly", subject: dave.email, requester: dave.email, durationMs: 30 * 60_000, reason: "INC-8 check a migration", state: "pr_open" });
    expect(stack.github.pull(filed.pr).state).toBe("open");
  });

  it.each([
    { field: "duration", values: { resource: "prod-db-readonly", duration: "5h", reason: "INC-9" }, says: /at most 4h/ },
    { field: "duration", values: { resource: "prod-db-readonly", duration: "soon", reason: "INC-9" }, says: /duration/i },
    { field: "reason", values: { resource: "prod-db-readonly", duration: "1h", reason: "" }, says: /requires a reason/ },
    { field: "reason", values: { resource: "prod-db-readonly", duration: "1h", reason: "INC-9 \u202Eevil\u202C" }, says: /^the reason contains an invisible control character \(U\+202E RIGHT-TO-LEFT OVERRIDE\); remove it and try again$/ },
  ])("refuses a modal whose $field is invalid, naming that field", async ({ field, values, says }) => {
    const before = (await stack.latestGrant())?.id;
    const res = await stack.submitModal(stack.person("carol").slack, values);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors)).toEqual([field]);
    expect(body.errors[field]).toMatch(says);
    expect((await stack.latestGrant())?.id).toBe(before);
  });

  it.each([
    ["a missing duration", "prod-db-readonly"],
    ["a duration that does not parse", "prod-db-readonly soon INC-10"],
    ["a resource id with invalid characters", "Prod_DB! 1h INC-10"],
    ["a release without a grant id", "release"],
  ])("answers %s with an ephemeral error and the usage line", async (_what, text) => {
    const { status, texts } = await ephemeralReplies(stack, stack.person("alice").slack, text);
    expect(status).toBe(200);
    const all = texts.join("\n");
    expect(all).toMatch(/⚠️/);
    expect(all).toMatch(/^Usage:/m);
    expect(all).not.toMatch(/Usage:\s*Usage:/);
    expect(all).toMatch(/^(Usage: )?\/access (<resource>|release <grant-id>)/m);
  });

  it("answers an unknown resource with an ephemeral error naming it, the valid resources and the usage line", async () => {
    const before = (await stack.latestGrant())?.id;
    const { texts } = await ephemeralReplies(stack, stack.person("alice").slack, "no-such-db 1h INC-11", 2);
    const all = texts.join("\n");
    expect(all).toContain('unknown resource "no-such-db"');
    expect(all).toContain("prod-db-readonly");
    expect(all).toMatch(/^Usage: \/access <resource> <duration> <reason…>/m);
    expect((await stack.latestGrant())?.id).toBe(before);
  });

  it("sends GitHub nothing that its API description rejects", () => {
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
