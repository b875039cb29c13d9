/**
 * Break-glass (issue 14 §1) end to end, through the real Slack app, the stateful fake GitHub and
 * the SCIM test server: access at once with no review, the review PR, the alerts, the limits,
 * the form's Emergency choice, no extension, and a PR closed unmerged revoking the access.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stateValue, viewSubmissionBody } from "../fakes/slack-signing.ts";
import { activeBreakglass, auditOf, breakGlass, SECURITY_CHANNEL, slashReplies, startBreakglassWorld, waitForAudit, waitForChannel, type BreakglassWorld } from "./breakglass-fixture.ts";
import { waitForComment, waitForDm } from "./flows.ts";
import { OPS_CHANNEL, type Stack } from "./stack.ts";

describe("break-glass access", () => {
  let world: BreakglassWorld;
  let stack: Stack;
  const members = () => stack.members("aws", "prod-db-readonly");

  beforeAll(async () => {
    world = await startBreakglassWorld();
    stack = world.stack;
  }, 30_000);
  afterAll(async () => {
    await stack?.stop();
    await world?.directory.server.close();
  });

  it("is active after one request with no review: membership read back, credential valid, PR with emergency: true on breakglass/<id> labelled breakglass, alerts to ops, the channels and the manager", async () => {
    const alice = stack.person("alice");
    const { grant, pr } = await activeBreakglass(stack, alice.slack, "prod-db-readonly 30m INC-4242 replica down, failing over");
    // Active without any review: nothing was approved, the PR has no review at all.
    expect(grant.approvedBy).toEqual([]);
    expect(stack.github.pull(pr).merged).toBe(false);
    expect(members()).toContain(alice.email);
    expect((await auditOf(stack, grant.id, "grant.activated"))[0]).toMatchObject({ verified: true, groups: ["prod-db-readonly"] });
    expect(grant.expiresAt! - grant.activatedAt!).toBe(30 * 60_000);
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "the credential DM");
    expect((await stack.introspect(token)).body).toMatchObject({ active: true, sub: alice.email, grant_id: grant.id });

    // The review PR: one commit adding the grant file with emergency: true, on breakglass/<id>.
    const pull = stack.github.pull(pr);
    expect(pull.headRef).toBe(`breakglass/${grant.id}`);
    expect(pull.labels).toEqual(expect.arrayContaining(["breakglass", "resource:prod-db-readonly"]));
    expect(pull.labels).not.toContain("access-request");
    const file = stack.github.fileAt(pull.headSha, `grants/prod-db-readonly/${grant.id}.yaml`)!;
    expect(parse(file)).toMatchObject({ id: grant.id, resource: "prod-db-readonly", subject: alice.email, duration: "30m", emergency: true });
    expect(file).toBe(grant.fileContent);
    await waitForComment(stack, pr, /Active since .* until .*Review deadline/s);

    // Alerts name who, what, why, until when and the PR: ops, the resource's channel, the manager.
    const prLink = new RegExp(`PR #${pr}`);
    for (const channel of [OPS_CHANNEL, SECURITY_CHANNEL]) {
      const text = await waitForChannel(stack, channel, grant.id, /Break-glass/);
      expect(text).toMatch(prLink);
      expect(text).toContain(alice.email);
      expect(text).toContain("INC-4242 replica down");
      expect(text).toContain(new Date(grant.expiresAt!).toISOString().replace(/\.\d{3}Z$/, "Z"));
    }
    const manager = stack.person("dave");
    const dm = await waitForDm(stack, manager.slack, /Break-glass.*you are their manager/s);
    expect(dm).toMatch(prLink);
    expect(dm).toContain("INC-4242");

    const activated = await waitForAudit(stack, grant.id, "breakglass.activated");
    expect(activated).toMatchObject({ resource: "prod-db-readonly", subject: alice.email, reason: "INC-4242 replica down, failing over", pr, expiresAt: new Date(grant.expiresAt!).toISOString().replace(/\.\d{3}Z$/, "Z") });
    const record = (await stack.grantbot.deps.breakglass.get(grant.id))!;
    expect(record.reviewDeadline! - grant.activatedAt!).toBe(24 * 3_600_000);
    expect(activated.reviewDeadline).toBe(new Date(record.reviewDeadline!).toISOString().replace(/\.\d{3}Z$/, "Z"));
  });

  it("refuses a duration above the max (naming it), a resource without break-glass, a missing reason, and a second live emergency grant on the same resource", async () => {
    const bob = stack.person("bob");
    const tooLong = await breakGlass(stack, bob.slack, "prod-db-readonly 2h INC-1 need it long");
    expect(tooLong.grantId).toBeNull();
    expect(tooLong.replies.join("\n")).toContain("break-glass on prod-db-readonly lasts at most 1h; ask for 1h or less");
    const notAllowed = await breakGlass(stack, bob.slack, "snowflake-analyst 30m INC-1");
    expect(notAllowed.replies.join("\n")).toMatch(/snowflake-analyst does not allow break-glass \(resources that allow it: incident-db, prod-db-readonly\)/);
    const noReason = await breakGlass(stack, bob.slack, "prod-db-readonly 30m");
    expect(noReason.replies.join("\n")).toContain("break-glass needs a reason");

    const { grant } = await activeBreakglass(stack, bob.slack, "prod-db-readonly 20m INC-2 first");
    const second = await breakGlass(stack, bob.slack, "prod-db-readonly 10m INC-2 second");
    expect(second.grantId).toBeNull();
    expect(second.replies.join("\n")).toContain(`you already have a live break-glass grant on prod-db-readonly (\`${grant.id}\``);
    // Another resource is another matter.
    const other = await breakGlass(stack, bob.slack, "incident-db 5m INC-2 other resource");
    expect(other.grantId).not.toBeNull();
    // Nothing beyond the two grants was created for bob.
    expect((await stack.grantbot.deps.grants.listBySubject(bob.email, ["approved", "active"])).map((g) => g.id).sort()).toEqual([grant.id, other.grantId].sort());
  });

  it("cannot be extended (a normal request can follow), and releasing works as usual", async () => {
    const bob = stack.person("bob");
    const grant = (await stack.grantbot.deps.grants.listBySubject(bob.email, ["active"])).find((g) => g.resource === "prod-db-readonly")!;
    const extend = await slashReplies(stack, bob.slack, `extend ${grant.id} 1h`);
    expect(extend.join("\n")).toContain(`grant ${grant.id} is a break-glass grant and cannot be extended`);
    expect((await stack.grantbot.deps.grants.listBySubject(bob.email, ["requested", "pr_open"])).filter((g) => g.extends === grant.id)).toEqual([]);
    // The credential DM offers Release but no Extend.
    const dm = stack.slack.message(grant.credentialMessage!.channel, grant.credentialMessage!.ts)!;
    expect(JSON.stringify(dm.blocks)).toContain("grant_release");
    expect(JSON.stringify(dm.blocks)).not.toContain("grant_extend");
    const normal = await slashReplies(stack, bob.slack, "prod-db-readonly 1h INC-2 follow-up, reviewed first");
    expect(normal.join("\n")).toMatch(/Request `[0-9A-Z]{26}` filed/);

    const release = await slashReplies(stack, bob.slack, `release ${grant.id}`);
    expect(release.join("\n")).toContain(`Releasing \`${grant.id}\``);
    await stack.waitForGrant(grant.id, ["released"]);
    await stack.waitFor(() => !members().includes(bob.email), 5000, "bob removed");
    await stack.waitFor(async () => (await auditOf(stack, grant.id, "scim.member_removed")).some((d) => d.verified === true), 5000, "verified removal");
  });

  it("closing the PR without merging revokes the grant at once, verified by read-back, and tells ops", async () => {
    const dave = stack.person("dave");
    const { grant, pr } = await activeBreakglass(stack, dave.slack, "prod-db-readonly 45m INC-7 checking a lock");
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "the credential DM");
    expect((await stack.close(pr)).status).toBe(202);
    await stack.waitForGrant(grant.id, ["revoked"]);
    await stack.waitFor(async () => (await auditOf(stack, grant.id, "scim.member_removed")).some((d) => d.verified === true), 5000, "verified removal");
    expect(members()).not.toContain(dave.email);
    expect((await stack.introspect(token)).body.active).toBe(false);
    expect(await waitForAudit(stack, grant.id, "breakglass.rejected_pr")).toMatchObject({ pr, revoked: true });
    expect(await waitForChannel(stack, OPS_CHANNEL, grant.id, /closed without merging/)).toContain("is being revoked now");
    await waitForComment(stack, pr, /Closed without merging/);
    expect((await stack.grantbot.deps.breakglass.get(grant.id))!.status).toBe("rejected");
  });

  it("offers the form's Emergency choice only for resources that allow it, and activates it at once", async () => {
    const carol = stack.person("carol");
    await stack.slash("", carol.slack, { triggerId: "trigger-bg-form" });
    const view = await stack.waitFor(() => stack.slack.views({ type: "modal" }).find((v) => v.triggerId === "trigger-bg-form"), 5000, "the request form");
    const select = JSON.stringify(view.view);
    const groups = (JSON.parse(select) as { blocks: Array<{ element?: { option_groups?: Array<{ label: { text: string }; options: Array<{ value: string }> }> } }> }).blocks.find((b) => b.element?.option_groups)!.element!.option_groups!;
    expect(groups.map((g) => g.label.text)).toEqual(["Request (reviewed before access)", "🚨 Emergency (break-glass, reviewed after)"]);
    expect(groups[1]!.options.map((o) => o.value)).toEqual(["breakglass:incident-db", "breakglass:prod-db-readonly"]);
    expect(groups[0]!.options.map((o) => o.value)).toContain("snowflake-analyst");

    const submit = (userId: string, resource: string, reason: string) =>
      stack.postSlack(viewSubmissionBody({ callbackId: "access_request", userId, privateMetadata: "{}", values: { resource: { resource_select: stateValue.select(resource) }, duration: { duration_input: stateValue.text(null) }, reason: { reason_input: stateValue.text(reason) } } }));
    // A crafted Emergency choice for a resource that does not allow it, and an ineligible person.
    expect((await submit(carol.slack, "breakglass:snowflake-analyst", "INC-9")).text).toContain("does not allow break-glass");
    expect((await submit(stack.person("erin").slack, "breakglass:prod-db-readonly", "INC-9")).text).toContain("may only be requested by members of engineering");

    const before = new Set((await stack.grantbot.deps.grants.listBySubject(carol.email, ["approved", "active"])).map((g) => g.id));
    expect((await submit(carol.slack, "breakglass:prod-db-readonly", "INC-9 from the form")).status).toBe(200);
    const grant = await stack.waitFor(async () => (await stack.grantbot.deps.grants.listBySubject(carol.email, ["active"])).find((g) => !before.has(g.id)), 5000, "carol's emergency grant active");
    expect(grant.branch).toBe(`breakglass/${grant.id}`);
    expect(grant.durationMs).toBe(3_600_000); // empty duration = the break-glass max
    expect(members()).toContain(carol.email);
  });
});
