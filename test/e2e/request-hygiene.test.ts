/**
 * Pre-expiry reminders and stale request PRs. The reminder lead time is set just under the grant
 * length (59m58s before a 1h expiry), so the reminder comes 2 s after activation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeGrant, fileRequest, waitForComment, waitForDm } from "./flows.ts";
import { Stack } from "./stack.ts";

describe("pre-expiry reminder", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ configExtra: "notify_before_expiry: 59m58s\n" });
    stack.github.setTeamMembers("acme/dba", ["bob-gh"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("DMs the requester before expiry with the time left and how to extend", async () => {
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-50 quick look");
    const reminder = await waitForDm(stack, alice.slack, /ends at/, 6000);
    expect(reminder).toContain(`Grant \`${grant.id}\``);
    expect(reminder).toMatch(/\(59m \d+s left\)/);
    expect(reminder).toContain(`/access extend ${grant.id} <duration>`);
    expect((await stack.grant(grant.id)).state).toBe("active");
    await stack.waitFor(async () => (await stack.grantbot.deps.audit.forGrant(grant.id)).some((r) => r.action === "grant.expiry_reminder"), 5000, "reminder audited");
  });

  it("does not remind about a grant that already ended", async () => {
    const bob = stack.person("bob");
    const grant = await activeGrant(stack, bob.slack, "prod-db-readonly 1h INC-51 released early");
    const released = await stack.slash(`release ${grant.id}`, bob.slack);
    expect(released.status).toBe(200);
    await stack.waitForGrant(grant.id, ["released"]);
    await stack.waitFor(async () => (await stack.grantbot.deps.jobs.pending(`expiry_reminder:${grant.id}`)).length === 0, 6000, "reminder job done");
    expect(stack.dmTexts(bob.slack).some((t) => /ends at/.test(t))).toBe(false);
  });

  it("does not schedule a reminder for a grant shorter than the lead time", async () => {
    const carol = stack.person("carol");
    const grant = await activeGrant(stack, carol.slack, "prod-db-readonly 59m INC-52 shorter than the lead time", "bob-gh");
    expect(await stack.grantbot.deps.jobs.pending(`expiry_reminder:${grant.id}`)).toEqual([]);
  });
});

describe("stale request PRs", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ configExtra: "stale_request_age: 2s\n" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("closes a request PR left unreviewed past the configured age with a comment and a DM", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 1h INC-53 nobody looks");
    await stack.waitForGrant(filed.grantId, ["cancelled"], 8000);
    await stack.waitFor(() => stack.github.pull(filed.pr).state === "closed", 5000, "PR closed");
    expect(stack.github.pull(filed.pr).merged).toBe(false);
    await waitForComment(stack, filed.pr, /not reviewed within 2s, so it was cancelled/);
    const dm = await waitForDm(stack, alice.slack, /was not reviewed within 2s/);
    expect(dm).toContain(`PR #${filed.pr}`);
    expect((await stack.grant(filed.grantId)).endReason).toBe("cancelled: not reviewed within 2s");
    expect((await stack.grantbot.deps.audit.forGrant(filed.grantId)).map((r) => r.action)).toContain("grant.stale_closed");
  });
});
