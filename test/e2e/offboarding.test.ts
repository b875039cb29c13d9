/**
 * Leavers found by polling the directory (a scimmy SCIM server, as are the targets): revocation
 * verified in every target, pending requests closed, the manager's confirmation, orphaned
 * service identities.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestAccess } from "../../src/services/grants/request-access.ts";
import { startDirectory, type TestDirectory } from "./directory-fixture.ts";
import { activate, activeGrant, fileRequest, waitForComment, waitForDm } from "./flows.ts";
import { OPS_CHANNEL, Stack } from "./stack.ts";

describe("offboarding leavers found by the directory poll", () => {
  let directory: TestDirectory;
  let stack: Stack;
  const opsTexts = () => stack.slack.messages(OPS_CHANNEL).map((m) => stack.slack.visibleText(m.channel, m.ts) ?? "");

  beforeAll(async () => {
    directory = await startDirectory();
    stack = await Stack.start(directory.stackOptions());
    stack.github.setTeamMembers("acme/data-platform", ["frank-gh"]);
    stack.github.setTeamMembers("acme/dba", ["dave-gh"]);
    await stack.grantbot.runTask("directory-poll");
  });
  afterAll(async () => {
    await stack?.stop();
    await directory?.server.close();
  });

  it("revokes and verifies every grant of a person deactivated in the directory, closes their pending request and confirms to the manager and ops", async () => {
    const alice = stack.person("alice");
    const dave = stack.person("dave");
    const db = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-7 replica lag");
    const warehouse = await activeGrant(stack, alice.slack, "snowflake-analyst 2h INC-7 usage numbers", "frank-gh");
    const waiting = await fileRequest(stack, alice.slack, "prod-db-readonly 30m INC-8 follow-up");
    const token = await stack.waitFor(() => stack.credentialToken(db.id), 5000, "credential DM");
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    expect(stack.members("snowflake", "ANALYST")).toContain(alice.email);

    directory.server.setActive(alice.email, false);
    await stack.grantbot.runTask("directory-poll");

    const confirmation = await waitForDm(stack, dave.slack, /Offboarding complete/, 10_000);
    for (const id of [db.id, warehouse.id]) expect(await stack.grant(id)).toMatchObject({ state: "revoked", endReason: expect.stringMatching(/^leaver: alice@example\.com was deactivated/) });
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    expect(stack.members("snowflake", "ANALYST")).not.toContain(alice.email);
    expect((await stack.introspect(token)).body).toEqual({ active: false });

    expect((await stack.grant(waiting.grantId)).state).toBe("cancelled");
    await stack.waitFor(() => stack.github.pull(waiting.pr).state === "closed", 5000, "pending request PR closed");
    expect(stack.github.pull(waiting.pr).merged).toBe(false);
    await waitForComment(stack, waiting.pr, /Closed by grantbot:.*alice@example\.com was deactivated/);

    expect(confirmation).toContain("*Alice* (alice@example.com) was deactivated in the directory");
    expect(confirmation).toMatch(new RegExp(`\\*prod-db-readonly\\* \\(grant \`${db.id}\`\\); 1 credential\\(s\\) revoked`));
    expect(confirmation).toContain("`prod-db-readonly` in aws — verified (removed)");
    expect(confirmation).toContain(`*snowflake-analyst* (grant \`${warehouse.id}\`)`);
    expect(confirmation).toContain("`ANALYST` in snowflake — verified (removed)");
    expect(confirmation).toMatch(new RegExp(`Pending requests cancelled[\\s\\S]*${waiting.grantId}[\\s\\S]*PR #${waiting.pr}`));
    expect(confirmation).not.toContain("NOT verified");

    const ops = await stack.waitFor(() => opsTexts().find((t) => t.includes("Offboarding complete") && t.includes("alice@example.com")), 5000, "ops summary");
    expect(ops).toContain("Manager dave@example.com got this summary by DM");
    expect(ops).toContain("`prod-db-readonly` in aws — verified (removed)");

    const actions = async (id: string) => (await stack.grantbot.deps.audit.forGrant(id)).map((r) => r.action);
    expect(await actions(db.id)).toEqual(expect.arrayContaining(["grant.leaver", "scim.member_removed"]));
    expect(await actions(waiting.grantId)).toContain("grant.cancelled_leaver");
    const all: string[] = [];
    for await (const r of stack.grantbot.deps.audit.all()) all.push(r.action);
    expect(all).toEqual(expect.arrayContaining(["offboarding.started", "offboarding.completed", "offboarding.final_manager"]));
    expect((await stack.grantbot.deps.audit.verify()).ok).toBe(true);

    // Seen once: the next poll finds nothing new to do.
    await stack.grantbot.runTask("directory-poll");
    await stack.settle();
    expect(stack.dmTexts(dave.slack).filter((t) => t.includes("Offboarding"))).toHaveLength(1);
  });

  it("offboards a person deleted from the directory and still finds their manager from the last record", async () => {
    const bob = stack.person("bob");
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, bob.slack, "prod-db-readonly 1h INC-9 vacuum check");
    directory.server.deleteUser(bob.email);
    await stack.grantbot.runTask("directory-poll");

    const confirmation = await waitForDm(stack, dave.slack, /Offboarding complete:\* \*Bob\*/, 10_000);
    expect(confirmation).toContain("(bob@example.com) was removed from the directory");
    expect(confirmation).toContain(`grant \`${grant.id}\``);
    expect(confirmation).toContain("`prod-db-readonly` in aws — verified (removed)");
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(bob.email);
    expect(await stack.grantbot.deps.people?.get(bob.email)).toMatchObject({ active: true, managerEmail: "dave@example.com", removedAt: expect.any(Number) });
  });

  it("reports the service identities a leaver owned as orphaned, with what to do", async () => {
    const carol = stack.person("carol");
    const erin = stack.person("erin");
    stack.scim.get("aws")!.createUser({ userName: "svc-etl@example.com" });
    const own = await activeGrant(stack, carol.slack, "prod-db-readonly 1h INC-10 own access", "dave-gh");
    const svc = await requestAccess(stack.grantbot.deps, {
      requesterEmail: carol.email,
      requesterSlackId: carol.slack,
      resource: "prod-db-readonly",
      duration: "4h",
      reason: "nightly ETL reads the replica",
      subject: "svc-etl@example.com",
      owner: carol.email,
    });
    expect(svc.fileContent).toContain("owner: carol@example.com");
    await activate(stack, { grantId: svc.id, pr: await stack.waitForPr(svc.id) }, "dave-gh");

    directory.server.setActive(carol.email, false);
    await stack.grantbot.runTask("directory-poll");

    const confirmation = await waitForDm(stack, erin.slack, /Offboarding complete:\* \*Carol\*/, 10_000);
    expect((await stack.grant(own.id)).state).toBe("revoked");
    expect((await stack.grant(svc.id)).state).toBe("active");
    expect(confirmation).toMatch(/Orphaned service identities/);
    expect(confirmation).toContain(`\`svc-etl@example.com\` has *prod-db-readonly*`);
    expect(confirmation).toContain(`grantbot revoke ${svc.id}`);
    expect(confirmation).toContain("assign a new owner");
    expect((await stack.grantbot.deps.audit.forGrant(svc.id)).map((r) => r.action)).toContain("offboarding.orphaned");
  });
});
