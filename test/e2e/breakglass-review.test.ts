/**
 * The after-the-fact review of break-glass grants, end to end: a PR merged with a valid approval
 * is recorded as reviewed; merged without one (self-approval, a second file in the PR) it is not,
 * and the PR says so; past the review deadline (2 s here) ops and the manager are alerted, the
 * next escalation is queued a day later, and the person cannot use break-glass on that resource
 * until the review is merged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB } from "../../src/services/jobs/kinds.ts";
import { activeBreakglass, auditOf, breakGlass, startBreakglassWorld, waitForAudit, waitForChannel, type BreakglassWorld } from "./breakglass-fixture.ts";
import { waitForComment, waitForDm } from "./flows.ts";
import { OPS_CHANNEL, type Stack } from "./stack.ts";

describe("break-glass review", () => {
  let world: BreakglassWorld;
  let stack: Stack;
  const status = async (id: string) => (await stack.grantbot.deps.breakglass.get(id))!.status;

  beforeAll(async () => {
    world = await startBreakglassWorld();
    stack = world.stack;
  }, 30_000);
  afterAll(async () => {
    await stack?.stop();
    await world?.directory.server.close();
  });

  it("a PR merged with a valid approval on its head commit is recorded as reviewed, with its approvers", async () => {
    const alice = stack.person("alice");
    const { grant, pr } = await activeBreakglass(stack, alice.slack, "prod-db-readonly 30m INC-100 reviewed in time");
    stack.approve(pr, "carol-gh");
    expect((await stack.merge(pr, "carol-gh")).status).toBe(202);
    const reviewed = await waitForAudit(stack, grant.id, "breakglass.reviewed");
    expect(reviewed).toMatchObject({ approvers: [{ login: "carol-gh", email: "carol@example.com" }], withinDeadline: true, pr });
    expect(await status(grant.id)).toBe("reviewed");
    await waitForComment(stack, pr, /Reviewed.*within the deadline.*@carol-gh/s);
    // Reviewing is not revoking: the emergency access runs its course.
    expect((await stack.grant(grant.id)).state).toBe("active");
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
  });

  it("a merge without valid approvals is not the review, and the PR says why (self-approval, a second file)", async () => {
    const bob = stack.person("bob");
    const self = await activeBreakglass(stack, bob.slack, "prod-db-readonly 10m INC-101 approved by myself");
    stack.approve(self.pr, "bob-gh");
    await stack.merge(self.pr, "bob-gh");
    const unreviewed = await waitForAudit(stack, self.grant.id, "breakglass.unreviewed_merge");
    expect(unreviewed).toMatchObject({ code: "approval_missing" });
    expect(await status(self.grant.id)).toBe("unreviewed_merge");
    expect(await auditOf(stack, self.grant.id, "breakglass.reviewed")).toEqual([]);
    await waitForComment(stack, self.pr, /does NOT count as the review/);
    await waitForChannel(stack, OPS_CHANNEL, self.grant.id, /merged without valid approvals/);

    const dave = stack.person("dave");
    const wide = await activeBreakglass(stack, dave.slack, "prod-db-readonly 10m INC-102 PR with an extra file");
    stack.github.pushToBranch(`breakglass/${wide.grant.id}`, { "docs/incident-notes.md": "a second file\n" }, { by: "dave-gh" });
    stack.approve(wide.pr, "carol-gh");
    await stack.merge(wide.pr, "carol-gh");
    expect(await waitForAudit(stack, wide.grant.id, "breakglass.unreviewed_merge")).toMatchObject({ code: "pr_out_of_scope" });
    expect(await status(wide.grant.id)).toBe("unreviewed_merge");
  });

  it("past the review deadline: escalation to ops and the manager at that moment, repeated daily, and break-glass refused on that resource until the review is merged", async () => {
    const alice = stack.person("alice");
    const manager = stack.person("dave");
    const { grant, pr } = await activeBreakglass(stack, alice.slack, "incident-db 5m INC-200 nobody reviews this in time");
    const record = (await stack.grantbot.deps.breakglass.get(grant.id))!;
    expect(record.reviewDeadline! - record.activatedAt!).toBe(2000);

    // The deadline job fires at the deadline (waited for as an event, not a duration).
    const overdue = await waitForAudit(stack, grant.id, "breakglass.review_overdue", 10_000);
    expect(overdue).toMatchObject({ escalation: 1, pr, deadline: new Date(record.reviewDeadline!).toISOString().replace(/\.\d{3}Z$/, "Z") });
    const opsAlert = await waitForChannel(stack, OPS_CHANNEL, grant.id, /Break-glass review overdue/);
    expect(opsAlert).toContain(alice.email);
    expect(opsAlert).toContain(`PR #${pr}`);
    await waitForDm(stack, manager.slack, new RegExp(`review overdue.*${grant.id}`, "s"));
    await waitForComment(stack, pr, /Review overdue/);
    const next = await stack.grantbot.deps.jobs.pendingOf(JOB.breakglassReviewDue, grant.id);
    expect(next.map((j) => [j.payload.n, j.runAt])).toEqual([[1, record.reviewDeadline! + 86_400_000]]);

    // Blocked on this resource once the grant itself has ended (no live grant in the way), not on others.
    expect((await stack.slash(`release ${grant.id}`, alice.slack)).status).toBe(200);
    await stack.waitForGrant(grant.id, ["released"]);
    const refused = await breakGlass(stack, alice.slack, "incident-db 5m INC-201 again");
    expect(refused.grantId).toBeNull();
    expect(refused.replies.join("\n")).toContain(`break-glass on incident-db is blocked for you: your earlier break-glass grant \`${grant.id}\``);
    expect((await stack.grantbot.deps.grants.listBySubject(alice.email, ["approved", "active"])).filter((g) => g.resource === "incident-db")).toEqual([]);
    const bob = stack.person("bob");
    expect((await breakGlass(stack, bob.slack, "incident-db 5m INC-201 someone else")).grantId).not.toBeNull();

    // Reviewed late: recorded as such, ops and the manager are told, and the block lifts.
    stack.approve(pr, "carol-gh");
    await stack.merge(pr, "carol-gh");
    expect(await waitForAudit(stack, grant.id, "breakglass.reviewed")).toMatchObject({ withinDeadline: false, approvers: [{ login: "carol-gh", email: "carol@example.com" }] });
    await waitForChannel(stack, OPS_CHANNEL, grant.id, /Break-glass reviewed/);
    await waitForDm(stack, manager.slack, new RegExp(`Break-glass reviewed.*${grant.id}`, "s"));
    expect((await breakGlass(stack, alice.slack, "incident-db 5m INC-202 after the review")).grantId).not.toBeNull();
  });
});
