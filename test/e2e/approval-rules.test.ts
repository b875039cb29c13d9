import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { fileRequest, waitForComment, waitForDm, type FiledRequest } from "./flows.ts";

const NEEDS = "needs 1 approval from acme/dba or carol-gh; has 0";

describe("approval rules checked when a grant PR is merged", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
    // zed-gh is in the DBA team on GitHub but missing from people.yaml.
    stack.github.setTeamMembers("acme/dba", ["bob-gh", "zed-gh"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Merges (with whatever reviews the PR has) and expects a rejection saying `reason`. */
  async function expectNotActivated(filed: FiledRequest, requesterSlack: string, reason: string): Promise<void> {
    const dmsBefore = stack.dmTexts(requesterSlack).length;
    const merged = await stack.merge(filed.pr, "carol-gh");
    expect(merged.status).toBe(202);
    const grant = await stack.waitForGrant(filed.grantId, ["rejected", "active"]);
    expect(grant.state).toBe("rejected");
    expect(grant.endReason).toBe(reason);
    const comment = await waitForComment(stack, filed.pr, /Not activated/);
    expect(comment).toContain(`**Not activated.** ${reason}`);
    const dm = await stack.waitFor(() => stack.dmTexts(requesterSlack).slice(dmsBefore).find((t) => t.includes("not activated")), 5000, "the rejection DM");
    expect(dm).toContain(`*not activated*: ${reason}`);
    expect(grant.access).toBeNull();
  }

  it("activates on an approval from a member of an approver team: SCIM membership and a credential until expiry", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 3s INC-20 replica lag");
    stack.approve(filed.pr, "bob-gh");
    expect((await stack.merge(filed.pr, "bob-gh")).status).toBe(202);
    const active = await stack.waitForGrant(filed.grantId, ["active"]);
    expect(active.approvedBy).toEqual(["bob-gh"]);
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    const token = await stack.waitFor(() => stack.credentialToken(filed.grantId), 5000, "credential DM");
    expect((await stack.introspect(token)).body).toMatchObject({ active: true, sub: alice.email, aud: "prod-db" });

    await stack.waitForGrant(filed.grantId, ["expired"], 5000);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes(alice.email), 5000, "membership removed");
    expect((await stack.introspect(token)).body).toEqual({ active: false });
  });

  it("does not activate a merged PR that nobody approved", async () => {
    const dave = stack.person("dave");
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 1h INC-21 no review");
    await expectNotActivated(filed, dave.slack, NEEDS);
  });

  it("does not count the requester's own approval", async () => {
    const carol = stack.person("carol"); // an approver of prod-db-readonly asking for it herself
    const filed = await fileRequest(stack, carol.slack, "prod-db-readonly 1h INC-22 self approval");
    stack.approve(filed.pr, "carol-gh");
    await expectNotActivated(filed, carol.slack, `${NEEDS}. Ignored: carol-gh (is the requester)`);
  });

  it("does not count an approval of an older commit of the PR", async () => {
    const dave = stack.person("dave");
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 1h INC-23 stale approval");
    const reviewed = stack.github.pull(filed.pr).headSha;
    stack.approve(filed.pr, "carol-gh");
    // A new head commit that changes nothing (any other file would now be rejected on its own:
    // a grant PR may change exactly its grant file).
    const path = `grants/prod-db-readonly/${filed.grantId}.yaml`;
    stack.github.pushToBranch(`grant/${filed.grantId}`, { [path]: stack.github.fileAt(`grant/${filed.grantId}`, path)! }, { by: "dave-gh", message: "Empty commit" });
    expect(stack.github.pull(filed.pr).headSha).not.toBe(reviewed);
    stack.approve(filed.pr, "carol-gh", reviewed);
    await expectNotActivated(filed, dave.slack, `${NEEDS}. Ignored: carol-gh (review is on an older commit)`);
  });

  it("does not count an approval from someone who is not an approver of the resource", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-24 wrong reviewer");
    stack.approve(filed.pr, "dave-gh");
    await expectNotActivated(filed, alice.slack, `${NEEDS}. Ignored: dave-gh (not an approver for prod-db-readonly)`);
  });

  it("does not activate when the grant file was changed in the PR, even with a valid approval of the new head", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-25 tampered");
    const path = `grants/prod-db-readonly/${filed.grantId}.yaml`;
    const original = stack.github.fileAt(`grant/${filed.grantId}`, path)!;
    stack.github.pushToBranch(`grant/${filed.grantId}`, { [path]: original.replace("duration: 1h", "duration: 4h") });
    stack.approve(filed.pr, "carol-gh"); // on the new head
    await expectNotActivated(filed, alice.slack, "the grant file was changed after grantbot wrote it");
  });

  it("does not count an approver who is missing from people.yaml", async () => {
    const dave = stack.person("dave");
    const filed = await fileRequest(stack, dave.slack, "prod-db-readonly 1h INC-26 unknown reviewer");
    stack.approve(filed.pr, "zed-gh");
    await expectNotActivated(filed, dave.slack, `${NEEDS}. Ignored: zed-gh (not in people.yaml)`);
  });

  it("declines a request whose PR is closed without merging and tells the requester", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-27 not needed any more");
    expect((await stack.close(filed.pr)).status).toBe(202);
    const grant = await stack.waitForGrant(filed.grantId, ["declined"]);
    expect(grant.access).toBeNull();
    await waitForDm(stack, alice.slack, new RegExp(`declined: <[^>]*/pull/${filed.pr}\\|PR #${filed.pr}> was closed without merging`));
  });

  it("never added anyone whose request was not activated", async () => {
    await stack.settle();
    expect(stack.members("aws", "prod-db-readonly")).toEqual([]);
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
