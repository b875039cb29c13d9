/**
 * Revocation is complete whatever state a grant is in when it ends. The dangerous states are the
 * ones between "approved" and "active": activation has added some memberships but not yet
 * committed. These tests hold a grant there (the target keeps failing the second group's add),
 * then end it every way a grant can end, and check that no membership survives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeGrant, releaseGrant } from "../../src/services/grants/grant-commands.ts";
import { pushDirectoryEvent, startDirectory, type TestDirectory } from "./directory-fixture.ts";
import { activeGrant, fileRequest, waitForComment, waitForDm, type FiledRequest } from "./flows.ts";
import { Stack } from "./stack.ts";
import { MULTI_GROUP_CATALOG } from "../fixtures/multi-group-catalog.ts";

const MULTI = `${MULTI_GROUP_CATALOG}
  multi-broken:
    description: The second group does not exist in the target
    scim: { target: aws, groups: [multi-a, multi-gone] }
    duration: { default: 1h, max: 4h }
    approvers: { users: [carol-gh], min: 1 }
    reason_required: false
`;

describe("ending a grant caught between approval and activation", () => {
  let directory: TestDirectory;
  let stack: Stack;
  let multiB: string;
  const aws = () => stack.scim.get("aws")!;
  const removalsVerified = async (grantId: string) =>
    (await stack.grantbot.deps.audit
      .forGrant(grantId))
      .filter((r) => r.action === "scim.member_removed" && r.data?.verified === true)
      .map((r) => String(r.data?.group))
      .sort();

  beforeAll(async () => {
    directory = await startDirectory();
    stack = await Stack.start({ catalogText: MULTI, ...directory.stackOptions() });
    aws().deleteGroup("multi-gone");
    // Re-create multi-b to learn its id, so its PATCHes can be failed on their own.
    aws().deleteGroup("multi-b");
    multiB = aws().createGroup("multi-b").id;
  });
  afterAll(async () => {
    await stack?.stop();
    await directory?.server.close();
  });

  /** Files and merges a `multi` request; returns once multi-a holds the subject while multi-b keeps failing. */
  async function stuckInActivation(slackId: string, email: string, text: string): Promise<FiledRequest> {
    aws().failWith({ status: 503, times: 100_000, match: (method, path) => method === "PATCH" && path === `/Groups/${multiB}` });
    const filed = await fileRequest(stack, slackId, text);
    stack.approve(filed.pr, "carol-gh");
    await stack.merge(filed.pr, "carol-gh");
    await stack.waitFor(() => aws().members("multi-a").includes(email), 10_000, "the first group added");
    expect((await stack.grant(filed.grantId)).state).toBe("approved");
    expect((await stack.grant(filed.grantId)).access).toMatchObject({ target: "aws", groups: ["multi-a", "multi-b"] });
    return filed;
  }

  it("revoking it removes the group activation had already added, verified by read-back", async () => {
    const alice = stack.person("alice");
    const filed = await stuckInActivation(alice.slack, alice.email, "multi 1h revoke while activating");
    expect(await revokeGrant(stack.grantbot.deps, filed.grantId, "ops@example.com")).toBe(true);
    aws().clearFaults();
    await stack.waitFor(async () => (await removalsVerified(filed.grantId)).length === 2, 15_000, "both removals verified");
    expect(aws().members("multi-a")).not.toContain(alice.email);
    expect(aws().members("multi-b")).not.toContain(alice.email);
    await stack.settle();
    expect((await stack.grant(filed.grantId)).state).toBe("revoked");
    expect(aws().members("multi-a")).not.toContain(alice.email);
  });

  it("a leaver's manager is told 'verified' only after every group it may have touched reads back absent", async () => {
    const bob = stack.person("bob");
    const dave = stack.person("dave");
    const filed = await stuckInActivation(bob.slack, bob.email, "multi 1h leaver while activating");
    const pushed = await pushDirectoryEvent(stack, { type: "leaver", email: bob.email, at: new Date().toISOString() });
    expect(pushed.body).toMatchObject({ outcome: "offboarding", revoked: [filed.grantId] });
    // multi-b's removal keeps failing (the same PATCH fault): no confirmation may go out yet.
    await stack.waitFor(async () => (await removalsVerified(filed.grantId)).includes("multi-a"), 15_000, "multi-a removal verified");
    expect(stack.dmTexts(dave.slack).some((t) => /Offboarding complete/.test(t))).toBe(false);
    aws().clearFaults();
    const confirmation = await waitForDm(stack, dave.slack, /Offboarding complete:\* \*Bob\*/, 20_000);
    expect(confirmation).toContain("`multi-a` in aws — verified (removed)");
    expect(confirmation).toMatch(/`multi-b` in aws — verified \((removed|already absent)\)/);
    expect(aws().members("multi-a")).not.toContain(bob.email);
    // The two removals finished in different batches: the PR's end comment still lists both.
    const comment = await waitForComment(stack, filed.pr, /Revoked: the person left/, 20_000);
    expect(comment).toContain("`multi-a`: membership removed (verified)");
    expect(comment).toContain("`multi-b`: membership removed (verified)");
  });

  it("a failed activation on a multi-group resource removes what it added", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "multi-broken 1h half a resource");
    stack.approve(filed.pr, "carol-gh");
    await stack.merge(filed.pr, "carol-gh");
    const grant = await stack.waitForGrant(filed.grantId, ["revoked", "active"], 15_000);
    expect(grant.state).toBe("revoked");
    expect(grant.endReason).toMatch(/activation failed: group "multi-gone" does not exist/);
    await stack.waitFor(async () => (await removalsVerified(filed.grantId)).includes("multi-a"), 15_000, "multi-a removal verified");
    expect(aws().members("multi-a")).not.toContain(alice.email);
  });

  it("an approved extension does not keep the membership when the original ends, and releasing it removes it", async () => {
    const alice = stack.person("alice");
    const original = await activeGrant(stack, alice.slack, "multi 1h original");
    expect(aws().members("multi-b")).toContain(alice.email);
    // A second grant of the same resource is approved, but its activation cannot look alice up
    // (user lookups fail), so it stays approved. The original's removals need no lookup (its SCIM
    // user id was recorded at activation).
    aws().failWith({ status: 503, times: 100_000, match: (method, path) => method === "GET" && path === "/Users" });
    const second = await fileRequest(stack, alice.slack, "multi 2h the next shift");
    stack.approve(second.pr, "carol-gh");
    await stack.merge(second.pr, "carol-gh");
    await stack.waitFor(() => aws().requests().some((r) => r.method === "GET" && r.path === "/Users" && r.status === 503), 10_000, "the second grant's activation failing");
    expect((await stack.grant(second.grantId)).state).toBe("approved");

    expect(await revokeGrant(stack.grantbot.deps, original.id, "ops@example.com")).toBe(true);
    await stack.waitFor(async () => (await removalsVerified(original.id)).length === 2, 15_000, "the original's removals verified");
    expect(aws().members("multi-a")).not.toContain(alice.email);
    expect(aws().members("multi-b")).not.toContain(alice.email);
    expect((await stack.grantbot.deps.audit.forGrant(original.id)).some((r) => r.action === "scim.member_kept")).toBe(false);

    // Released while still approved: whatever its activation may yet do is undone too.
    await releaseGrant(stack.grantbot.deps, second.grantId, alice.email);
    expect((await stack.grant(second.grantId)).state).toBe("revoked");
    aws().clearFaults();
    await stack.waitFor(async () => (await removalsVerified(second.grantId)).length === 2, 15_000, "the second grant's removals verified");
    await stack.settle();
    expect(aws().members("multi-a")).not.toContain(alice.email);
    expect(aws().members("multi-b")).not.toContain(alice.email);
  });
});
