/**
 * Leavers pushed to `POST /hooks/directory` (signed like an HR system would), and a target that
 * is down while a leaver is offboarded: pending notice first, confirmation once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIRECTORY_SECRET, pushDirectoryEvent, startDirectory, type TestDirectory } from "./directory-fixture.ts";
import { activeGrant, fileRequest, waitForDm } from "./flows.ts";
import { OPS_CHANNEL, Stack } from "./stack.ts";

describe("leavers pushed to the signed directory hook", () => {
  let directory: TestDirectory;
  let stack: Stack;
  const opsTexts = () => stack.slack.messages(OPS_CHANNEL).map((m) => stack.slack.visibleText(m.channel, m.ts) ?? "");

  beforeAll(async () => {
    directory = await startDirectory();
    stack = await Stack.start(directory.stackOptions("offboarding_pending_after: 2s\n"));
    stack.github.setTeamMembers("acme/data-platform", ["bob-gh"]);
    await stack.grantbot.runTask("directory-poll");
  });
  afterAll(async () => {
    await stack?.stop();
    await directory?.server.close();
  });

  it("rejects unsigned, badly signed, stale, malformed and replayed pushes", async () => {
    const event = { type: "leaver", email: "nobody@example.com", at: new Date().toISOString() };
    expect((await pushDirectoryEvent(stack, event, { signature: null })).status).toBe(401);
    expect((await pushDirectoryEvent(stack, event, { secret: "not-the-directory-secret-0000" })).status).toBe(401);
    expect((await pushDirectoryEvent(stack, event, { signature: "sha256=00" })).status).toBe(401);
    expect((await pushDirectoryEvent(stack, event, { timestampSec: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401);
    const malformed = await pushDirectoryEvent(stack, { type: "retired", email: "x", at: "yesterday" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.issues).toEqual(expect.arrayContaining(['type: type must be "leaver" or "mover"', "email: email must be an email address"]));

    const first = await pushDirectoryEvent(stack, event);
    expect(first.status).toBe(202);
    const replay = await first.send();
    expect(replay.status).toBe(409);
    expect(replay.body.error).toMatch(/replay/);
  });

  it("offboards a leaver pushed by the HR system, with the manager it names", async () => {
    const alice = stack.person("alice");
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-20 replica check");
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");

    const pushed = await pushDirectoryEvent(stack, { type: "leaver", email: "Alice@Example.com", at: new Date().toISOString(), attributes: { manager: "dave@example.com" } });
    expect(pushed.status).toBe(202);
    expect(pushed.body).toMatchObject({ outcome: "offboarding", revoked: [grant.id] });
    // Credentials are inactive at once, before any SCIM call finishes.
    expect((await stack.introspect(token)).body).toEqual({ active: false });

    const confirmation = await waitForDm(stack, dave.slack, /Offboarding complete:\* \*Alice\*/, 10_000);
    expect(confirmation).toContain("was reported as a leaver by the HR/IdP push");
    expect(confirmation).toContain("`prod-db-readonly` in aws — verified (removed)");
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
  });

  it("sends a pending notice naming the removal being retried while a target is down, then the confirmation once it is back", async () => {
    const frank = stack.person("frank");
    const erin = stack.person("erin");
    const grant = await activeGrant(stack, frank.slack, "snowflake-analyst 2h INC-21 quarterly numbers", "bob-gh");
    const snowflake = stack.scim.get("snowflake")!;
    snowflake.failWith({ status: 503, times: 1_000, detail: "snowflake SCIM is down", match: (method) => method === "PATCH" });

    const pushed = await pushDirectoryEvent(stack, { type: "leaver", email: frank.email, at: new Date().toISOString() });
    expect(pushed.status).toBe(202);
    const pending = await waitForDm(stack, erin.slack, /Offboarding in progress:\* \*Frank\*/, 10_000);
    expect(pending).toMatch(/\*snowflake-analyst\*: `ANALYST` in snowflake — NOT verified: still retrying \(attempt \d+\): .*503/);
    expect(stack.dmTexts(erin.slack).some((t) => t.includes("Offboarding complete:* *Frank*"))).toBe(false);
    expect(stack.members("snowflake", "ANALYST")).toContain(frank.email);
    await stack.waitFor(() => opsTexts().find((t) => t.includes("Offboarding in progress") && t.includes("frank@example.com")), 5000, "ops pending notice");

    snowflake.clearFaults();
    const confirmation = await waitForDm(stack, erin.slack, /Offboarding complete:\* \*Frank\*/, 15_000);
    expect(confirmation).toContain(`grant \`${grant.id}\``);
    expect(confirmation).toContain("`ANALYST` in snowflake — verified (removed)");
    expect(stack.members("snowflake", "ANALYST")).not.toContain(frank.email);
    const order = stack.dmTexts(erin.slack).filter((t) => t.includes("*Frank*")).map((t) => (t.includes("in progress") ? "pending" : "final"));
    expect(order).toEqual(["pending", "final"]);
  });

  it("tells ops when the leaver's manager is unknown", async () => {
    const erin = stack.person("erin");
    const waiting = await fileRequest(stack, erin.slack, "break-glass-admin 30m INC-22 outage");
    const pushed = await pushDirectoryEvent(stack, { type: "leaver", email: erin.email, at: new Date().toISOString() });
    expect(pushed.status).toBe(202);
    const ops = await stack.waitFor(() => opsTexts().find((t) => t.includes("Offboarding complete:* *Erin*")), 10_000, "ops summary for erin");
    expect(ops).toContain("Manager not told:* the directory has no manager for erin@example.com");
    expect(ops).toContain(waiting.grantId);
    expect((await stack.grant(waiting.grantId)).state).toBe("cancelled");
  });
});

describe("the directory hook without GRANTBOT_DIRECTORY_SECRET", () => {
  it("does not exist", async () => {
    const stack = await Stack.start();
    try {
      const res = await pushDirectoryEvent(stack, { type: "leaver", email: "a@example.com", at: new Date().toISOString() }, { secret: DIRECTORY_SECRET });
      expect(res.status).toBe(404);
    } finally {
      await stack.stop();
    }
  });
});
