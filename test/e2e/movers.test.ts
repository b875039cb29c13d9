/**
 * Movers: when a person's directory groups change so that a live grant's `eligible` rule no
 * longer holds, the grant is revoked (reason `ineligible`) and they are told; grants that still
 * qualify stay. With a directory configured, its groups (not people.yaml) decide eligibility.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushDirectoryEvent, startDirectory, type TestDirectory } from "./directory-fixture.ts";
import { activeGrant, ephemeralReplies, waitForDm } from "./flows.ts";
import { Stack } from "./stack.ts";

describe("movers", () => {
  let directory: TestDirectory;
  let stack: Stack;

  beforeAll(async () => {
    directory = await startDirectory();
    stack = await Stack.start(directory.stackOptions());
    stack.github.setTeamMembers("acme/data-platform", ["frank-gh"]);
    await stack.grantbot.runTask("directory-poll");
  });
  afterAll(async () => {
    await stack?.stop();
    await directory?.server.close();
  });

  it("revokes a grant whose eligibility rule no longer holds after a directory group change, and keeps the ones that still qualify", async () => {
    const alice = stack.person("alice");
    const db = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-30 index bloat");
    // alice moves from engineering to analytics: prod-db-readonly needs engineering, snowflake-analyst takes analytics too.
    directory.server.addMemberDirectly("analytics", alice.email);
    const warehouse = await activeGrant(stack, alice.slack, "snowflake-analyst 2h INC-30 dashboards", "frank-gh");
    directory.server.removeMemberDirectly("engineering", alice.email);
    await stack.grantbot.runTask("directory-poll");

    await stack.waitForGrant(db.id, ["revoked"]);
    expect((await stack.grant(db.id)).endReason).toMatch(/^ineligible: alice@example\.com is no longer in engineering/);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes(alice.email), 5000, "membership removed");
    await waitForDm(stack, alice.slack, /prod-db-readonly[\s\S]*no longer eligible/);
    expect((await stack.grant(warehouse.id)).state).toBe("active");
    expect(stack.members("snowflake", "ANALYST")).toContain(alice.email);
    expect((await stack.grantbot.deps.audit.forGrant(db.id)).map((r) => r.action)).toEqual(expect.arrayContaining(["grant.ineligible", "scim.member_removed"]));
  });

  it("takes eligibility from the directory's groups, not people.yaml, when a directory is configured", async () => {
    const carol = stack.person("carol"); // engineering in people.yaml
    directory.server.removeMemberDirectly("engineering", carol.email);
    await stack.grantbot.runTask("directory-poll");
    const { texts } = await ephemeralReplies(stack, carol.slack, "prod-db-readonly 1h INC-31 check", 2);
    expect(texts.join("\n")).toMatch(/may only be requested by members of engineering/);
  });

  it("applies a mover pushed by the HR system", async () => {
    const bob = stack.person("bob");
    const grant = await activeGrant(stack, bob.slack, "prod-db-readonly 1h INC-32 slow queries");
    const pushed = await pushDirectoryEvent(stack, { type: "mover", email: bob.email, at: new Date().toISOString(), attributes: { groups: ["dba"], title: "DBA manager" } });
    expect(pushed.status).toBe(202);
    expect(pushed.body).toEqual({ outcome: "eligibility check queued" });
    await stack.waitForGrant(grant.id, ["revoked"]);
    expect((await stack.grant(grant.id)).endReason).toMatch(/^ineligible: bob@example\.com is no longer in engineering \(directory groups now: dba\)/);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes(bob.email), 5000, "membership removed");
    expect(await stack.grantbot.deps.people?.get(bob.email)).toMatchObject({ groups: ["dba"], attributes: { title: "DBA manager" } });
  });
});
