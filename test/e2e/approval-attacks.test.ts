/**
 * What a requester (or anyone who can push to a grant PR) can change, tried as an attacker would:
 * the policy files, other files, the merge method, the PR's base, the time of a review, the base
 * branch after the merge. None of it gets access; each rejection says which rule and which files.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { fileRequest, waitForComment, type FiledRequest } from "./flows.ts";
import { pullRequestEvent } from "../fakes/github-webhooks.ts";

const CATALOG = readFileSync(new URL("../../grants/catalog.yaml", import.meta.url), "utf8");
const PEOPLE = readFileSync(new URL("../../grants/people.yaml", import.meta.url), "utf8");
/** The example catalog plus an admin resource, so the admin group exists in the SCIM target. */
const CATALOG_WITH_ADMIN = `${CATALOG.trimEnd()}

  prod-db-admin:
    description: Administer the production database
    scim: { target: aws, groups: [prod-db-admin] }
    duration: { default: 30m, max: 1h }
    approvers: { teams: [acme/dba], min: 2 }
    reason_required: true
    credential: { audience: prod-db, scopes: ["db:admin"] }
`;

describe("a grant PR cannot change the rules it is judged by", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ catalogText: CATALOG_WITH_ADMIN });
    stack.github.setTeamMembers("acme/dba", ["bob-gh"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  // A rejected PR is still merged: what it changed stays on the base branch until someone reverts
  // it. Revert after each attack so the next one starts from the operators' policy.
  afterEach(() => {
    stack.github.seed({ "grants/catalog.yaml": CATALOG_WITH_ADMIN, "grants/people.yaml": PEOPLE }, "Revert");
  });

  const branch = (filed: FiledRequest) => `grant/${filed.grantId}`;

  async function expectRejected(filed: FiledRequest, slackId: string, reason: RegExp, by = "carol-gh"): Promise<void> {
    const merged = await stack.merge(filed.pr, by);
    expect(merged.status).toBe(202);
    const grant = await stack.waitForGrant(filed.grantId, ["rejected", "active"]);
    expect(grant.state).toBe("rejected");
    expect(grant.endReason).toMatch(reason);
    expect(grant.access).toBeNull();
    expect(await waitForComment(stack, filed.pr, /Not activated/)).toMatch(reason);
    await stack.waitFor(() => stack.dmTexts(slackId).find((t) => t.includes("not activated") && reason.test(t)), 5000, "the rejection DM");
  }

  it("rejects a PR that remaps the requester's GitHub login in people.yaml and self-approves", async () => {
    const carol = stack.person("carol"); // carol-gh is an approver of prod-db-readonly
    const filed = await fileRequest(stack, carol.slack, "prod-db-readonly 1h INC-40 remap");
    const remapped = PEOPLE.replace("email: carol@example.com\n    github: carol-gh", "email: carol@example.com\n    github: carol-old-gh").concat(
      "\n  - email: carol.alt@example.com\n    github: carol-gh\n",
    );
    stack.github.pushToBranch(branch(filed), { "grants/people.yaml": remapped }, { by: "carol-gh" });
    stack.approve(filed.pr, "carol-gh");
    await expectRejected(filed, carol.slack, /changes files besides its grant file .*: grants\/people\.yaml \(modified\)/);
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(carol.email);
  });

  it("rejects a PR that adds a second login of the requester as an approver in catalog.yaml", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-41 second login");
    stack.github.pushToBranch(branch(filed), {
      "grants/catalog.yaml": CATALOG_WITH_ADMIN.replace("users: [carol-gh]", "users: [carol-gh, alice-alt-gh]"),
      "grants/people.yaml": `${PEOPLE.trimEnd()}\n  - email: alice.alt@example.com\n    github: alice-alt-gh\n`,
    });
    stack.approve(filed.pr, "alice-alt-gh");
    await expectRejected(filed, alice.slack, /grants\/catalog\.yaml \(modified\), grants\/people\.yaml \(modified\)/);
  });

  it("rejects a PR that widens its resource (admin group, db:admin scope) even with a real approval", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-42 widen");
    const widened = CATALOG_WITH_ADMIN.replace("groups: [prod-db-readonly]", "groups: [prod-db-readonly, prod-db-admin]").replace('scopes: ["db:read"]', 'scopes: ["db:read", "db:admin"]');
    stack.github.pushToBranch(branch(filed), { "grants/catalog.yaml": widened });
    stack.approve(filed.pr, "bob-gh");
    await expectRejected(filed, alice.slack, /grants\/catalog\.yaml \(modified\)/, "bob-gh");
    expect(stack.members("aws", "prod-db-admin")).not.toContain(alice.email);
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
  });

  it.each([
    [".github/CODEOWNERS", "* @alice-gh\n"],
    [".github/workflows/validate-grants.yml", "on: push\njobs: {}\n"],
    ["grants/prod-db-readonly/01JAAAAAAAAAAAAAAAAAAAAAAA.yaml", "id: 01JAAAAAAAAAAAAAAAAAAAAAAA\n"],
  ])("rejects a PR that also changes %s", async (path, text) => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-43 extra file");
    stack.github.pushToBranch(branch(filed), { [path]: text });
    stack.approve(filed.pr, "carol-gh");
    await expectRejected(filed, alice.slack, new RegExp(`besides its grant file .*: ${path.replace(/[./]/g, "\\$&")} \\(added\\)`));
  });

  it("rejects a rebase merge whose last commit reverts a policy change made earlier in the PR", async () => {
    // Net diff = the grant file only, but rebasing puts the catalog change on the base as its own
    // commit: the merge commit's first parent then carries the attacker's catalog.
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-44 rebase");
    stack.github.pushToBranch(branch(filed), { "grants/catalog.yaml": CATALOG_WITH_ADMIN.replace("users: [carol-gh]", "users: [carol-gh, alice-gh]") });
    stack.github.pushToBranch(branch(filed), { "grants/catalog.yaml": CATALOG_WITH_ADMIN });
    stack.approve(filed.pr, "carol-gh");
    stack.github.merge(filed.pr, { by: "carol-gh", method: "rebase" });
    await stack.deliver("pull_request", pullRequestEvent(stack.github, filed.pr));
    const grant = await stack.waitForGrant(filed.grantId, ["rejected", "active"]);
    expect(grant.state).toBe("rejected");
    expect(grant.endReason).toMatch(/the merge commit changes files besides its grant file .*grants\/catalog\.yaml \(modified\)/);
  });

  it("activates a clean PR merged by squash or rebase", async () => {
    for (const method of ["squash", "rebase"] as const) {
      const alice = stack.person("alice");
      const filed = await fileRequest(stack, alice.slack, `prod-db-readonly 1h INC-45 ${method}`);
      stack.approve(filed.pr, "carol-gh");
      stack.github.merge(filed.pr, { by: "carol-gh", method });
      await stack.deliver("pull_request", pullRequestEvent(stack.github, filed.pr));
      const grant = await stack.waitForGrant(filed.grantId, ["active", "rejected"]);
      expect(grant.state, `${method}: ${grant.endReason}`).toBe("active");
      expect(grant.policySha).toBe(stack.github.state.git.commit(stack.github.pull(filed.pr).mergeCommitSha!)!.parents[0]);
    }
  });

  it("judges and activates by the policy before the merge, not a later commit on the base branch", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-46 moving base");
    stack.approve(filed.pr, "carol-gh");
    const mergeSha = stack.github.merge(filed.pr, { by: "carol-gh" });
    const before = stack.github.state.git.commit(mergeSha)!.parents[0]!;
    // Right after the merge, before grantbot hears of it, the base branch moves on: the resource
    // now maps to the admin group with an admin scope, and carol is no longer an approver.
    stack.github.seed({
      "grants/catalog.yaml": CATALOG_WITH_ADMIN.replace("groups: [prod-db-readonly]", "groups: [prod-db-admin]")
        .replace('scopes: ["db:read"]', 'scopes: ["db:admin"]')
        .replace("users: [carol-gh]", "users: []"),
    });
    await stack.deliver("pull_request", pullRequestEvent(stack.github, filed.pr));
    const grant = await stack.waitForGrant(filed.grantId, ["active", "rejected"]);
    expect(grant.state, grant.endReason ?? "").toBe("active");
    expect(grant.policySha).toBe(before);
    expect(grant.access).toMatchObject({ target: "aws", groups: ["prod-db-readonly"] });
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    expect(stack.members("aws", "prod-db-admin")).not.toContain(alice.email);
    const token = await stack.waitFor(() => stack.credentialToken(filed.grantId), 5000, "credential DM");
    expect((await stack.introspect(token)).body).toMatchObject({ active: true, scope: "db:read" });
  });

  it("does not count an approval submitted after the merge", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-47 late approval");
    stack.github.merge(filed.pr, { by: "carol-gh" });
    const mergedAt = Date.parse(stack.github.pull(filed.pr).mergedAt!);
    // The approval lands between the merge and grantbot's check (webhook delayed).
    stack.github.addReview(filed.pr, { login: "carol-gh", state: "APPROVED", submittedAt: new Date(mergedAt + 5_000).toISOString().replace(".000Z", "Z") });
    await stack.deliver("pull_request", pullRequestEvent(stack.github, filed.pr));
    const grant = await stack.waitForGrant(filed.grantId, ["rejected", "active"]);
    expect(grant.state).toBe("rejected");
    expect(grant.endReason).toBe("needs 1 approval from acme/dba or carol-gh; has 0. Ignored: carol-gh (approved after the merge)");
  });

  it("rejects a PR retargeted to another branch and merged there", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-48 retarget");
    stack.github.createBranch("release");
    stack.github.retarget(filed.pr, "release");
    stack.approve(filed.pr, "carol-gh");
    await expectRejected(filed, alice.slack, /merged into "release", not the base branch "main"/);
    expect(stack.github.branchSha("main")).not.toBe(stack.github.branchSha("release"));
  });
});
