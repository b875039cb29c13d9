import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main, type CliIO } from "../../src/cli.ts";
import { pullRequestEvent } from "../fakes/github-webhooks.ts";
import { OPS_CHANNEL, type Stack } from "./stack.ts";
import { activeGrant, waitForComment, waitForDm } from "./flows.ts";
import { approveAndMerge, audits, catalogAt, deleteOnBranch, inDays, pushCatalog, RESOURCE, reviewStack, waitForAudit, waitForOpenReview } from "./review-fixture.ts";

type Members = { resources: Record<string, { standing_members: Array<string | { email: string; review_after: string }>; description: string }> };
const membersAt = (stack: Stack, ref: string) => (parse(catalogAt(stack, ref)) as Members).resources[RESOURCE]!.standing_members;

function captureIO(env: Record<string, string>): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd: process.cwd(), env };
}

/** An operator reverting a merged (rejected) review on the base branch; grantbot reads the catalog again. */
async function revertMain(s: Stack, catalogText: string): Promise<void> {
  s.github.seed({ "grants/catalog.yaml": catalogText }, "Revert the rejected review");
  await s.grantbot.deps.policy.current({ maxAgeMs: 0 });
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("access reviews of standing members", () => {
  it("opens one review PR with evidence for the members due, removes (verified) the one a reviewer deletes and moves the others' dates", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(5), "dave@example.com": inDays(10), "alice@example.com": inDays(60) } }));
    const review = await waitForOpenReview(s); // checked at start-up
    const pr = s.github.pull(review.prNumber);
    expect(pr.headRef).toBe(`review/${RESOURCE}/${inDays(0)}`);
    expect(pr.labels).toContain("access-review");
    expect(pr.title).toBe(`Access review: ${RESOURCE} (2 standing members)`);
    const body = pr.body ?? "";
    for (const expected of ["bob@example.com — due", "dave@example.com — due", "**Directory:**", "**Still eligible:**", "**Standing:** at least since", `unknown: SCIM target aws reports no sign-in or last-use data`, "**Grants of this resource:** none in the last 90 days", `next review ${inDays(95)}`]) {
      expect(body).toContain(expected);
    }
    expect(body).not.toContain("alice@example.com");
    expect(membersAt(s, review.branch)).toEqual([
      { email: "bob@example.com", review_after: inDays(95) },
      { email: "dave@example.com", review_after: inDays(100) },
      { email: "alice@example.com", review_after: inDays(60) },
    ]);
    expect(await waitForAudit(s, "review.opened")).toMatchObject({ resource: RESOURCE, members: ["bob@example.com", "dave@example.com"], pr: review.prNumber });
    // Approvers told: carol and erin by DM (people.yaml), the resource's channel.
    await waitForDm(s, s.person("carol").slack, /Access review of prod-db-readonly.*2 standing member/);
    await s.waitFor(() => s.slack.messages().some((m) => m.channel === "C0DBA00001" && /Access review of prod-db-readonly/.test(m.text)), 5000, "channel notice");

    // The reviewer removes dave by deleting his line, approves the final commit, merges.
    const head = deleteOnBranch(s, review, ["dave@example.com"]);
    await approveAndMerge(s, review.prNumber, "carol-gh", head);
    expect(await waitForAudit(s, "review.certified")).toMatchObject({ resource: RESOURCE, kept: ["bob@example.com"], removed: ["dave@example.com"], approvers: ["carol-gh"], pr: review.prNumber });
    expect(await waitForAudit(s, "review.member_removed")).toMatchObject({ resource: RESOURCE, email: "dave@example.com", cause: "review", verified: true });
    expect(s.members("aws", "prod-db-readonly").sort()).toEqual(["alice@example.com", "bob@example.com"]);
    await waitForDm(s, s.person("dave").slack, /standing access to \*prod-db-readonly\* was removed: an access review removed you/);
    await waitForComment(s, review.prNumber, /Access review certified.*carol-gh/s);
    expect(membersAt(s, "main")).toEqual([{ email: "bob@example.com", review_after: inDays(95) }, { email: "alice@example.com", review_after: inDays(60) }]);

    // Nobody is due any more: no new PR; reconciliation agrees with the result.
    await s.grantbot.runTask("access-reviews");
    expect(await s.grantbot.deps.reviews.openReviewOf(RESOURCE)).toBeNull();
    await s.grantbot.runTask("reconcile");
    await s.settle();
    expect(s.members("aws", "prod-db-readonly").sort()).toEqual(["alice@example.com", "bob@example.com"]);

    const cli = captureIO(s.env);
    expect(await main(["reviews", "--json"], cli)).toBe(0);
    const listing = JSON.parse(cli.out.join("")) as { due: unknown[]; completed: { state: string; kept: string[]; removed: string[]; approvers: string[] }[] };
    expect(listing.due).toEqual([]);
    expect(listing.completed[0]).toMatchObject({ state: "certified", kept: ["bob@example.com"], removed: ["dave@example.com"], approvers: ["carol-gh"] });
  });

  it("does not count a member's own approval, and the members stay due after the rejected merge", async () => {
    const s = (stack = await reviewStack({ members: { "erin@example.com": inDays(3), "bob@example.com": inDays(4) } }));
    const review = await waitForOpenReview(s);
    const before = catalogAt(s, "main");
    // erin is an approver of the resource, but she is listed in this review.
    await approveAndMerge(s, review.prNumber, "erin-gh");
    const rejected = await waitForAudit(s, "review.rejected");
    expect(rejected).toMatchObject({ resource: RESOURCE, pr: review.prNumber });
    expect(String(rejected.reason)).toContain("erin-gh (is listed in this review)");
    await waitForComment(s, review.prNumber, /Access review rejected.*erin-gh \(is listed in this review\)/s);
    expect(audits(s, "review.certified")).toEqual([]);
    // The merged dates were not certified: the members stay due at their old dates. No new PR can
    // change anything while the catalog carries them: operators are asked to revert the merge.
    await s.grantbot.runTask("access-reviews");
    expect(await s.grantbot.deps.reviews.openReviewOf(RESOURCE)).toBeNull();
    await s.waitFor(() => s.slack.messages().some((m) => m.channel === OPS_CHANNEL && /Access review of prod-db-readonly cannot be opened/.test(m.text)), 5000, "ops notice");
    await revertMain(s, before);
    await s.grantbot.runTask("access-reviews");
    const again = await waitForOpenReview(s, RESOURCE, review.id);
    expect(again.members.map((m) => [m.email, m.effective])).toEqual([["erin@example.com", inDays(3)], ["bob@example.com", inDays(4)]]);
    // Nor does erin's approval count on the new one; carol's does.
    await approveAndMerge(s, again.prNumber, "carol-gh");
    expect(await waitForAudit(s, "review.certified")).toMatchObject({ kept: ["erin@example.com", "bob@example.com"], approvers: ["carol-gh"] });
  });

  it("rejects a review PR edited to add someone, or to touch another resource", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(5) } }));
    const first = await waitForOpenReview(s);
    const before = catalogAt(s, "main");
    const added = catalogAt(s, first.branch).replace("      - email: bob@example.com", "      - mallory@example.com\n      - email: bob@example.com");
    await approveAndMerge(s, first.prNumber, "carol-gh", pushCatalog(s, first, added));
    expect(String((await waitForAudit(s, "review.rejected", (d) => d.pr === first.prNumber)).reason)).toContain("it adds mallory@example.com to the standing members of prod-db-readonly");
    await waitForComment(s, first.prNumber, /Access review rejected.*mallory@example\.com/s);
    // Reverted: mallory is gone from the catalog again, and bob is still due at his old date.
    await revertMain(s, before);
    await s.grantbot.runTask("access-reviews");
    const second = await waitForOpenReview(s, RESOURCE, first.id);
    const other = catalogAt(s, second.branch).replace("standing_members: [frank@example.com]", "standing_members: [frank@example.com, mallory@example.com]");
    await approveAndMerge(s, second.prNumber, "carol-gh", pushCatalog(s, second, other));
    expect(String((await waitForAudit(s, "review.rejected", (d) => d.pr === second.prNumber)).reason)).toContain("it changes the resource snowflake-analyst");
    expect(audits(s, "review.certified")).toEqual([]);
    // Ops hear about it.
    await s.waitFor(() => s.slack.messages().some((m) => m.channel === OPS_CHANNEL && /Access review of prod-db-readonly rejected/.test(m.text)), 5000, "ops notice");
  });

  it("checks a rebase-merged review from where its branch started: an approver added by an earlier commit of the PR is caught", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(5), "dave@example.com": inDays(6) } }));
    const review = await waitForOpenReview(s);
    // One commit makes frank an approver, the last deletes dave; frank approves; rebase merge: the
    // merge commit's first parent is the PR's own approver commit, whose policy counts frank.
    pushCatalog(s, review, catalogAt(s, review.branch).replace("users: [carol-gh, erin-gh]", "users: [carol-gh, erin-gh, frank-gh]"));
    const head = deleteOnBranch(s, review, ["dave@example.com"]);
    s.approve(review.prNumber, "frank-gh", head);
    s.github.merge(review.prNumber, { by: "frank-gh", method: "rebase" });
    expect((await s.deliver("pull_request", pullRequestEvent(s.github, review.prNumber))).status).toBe(202);
    expect(String((await waitForAudit(s, "review.rejected")).reason)).toContain("since the review was opened, it changes prod-db-readonly.approvers");
    expect(audits(s, "review.certified")).toEqual([]);
    expect(s.members("aws", "prod-db-readonly")).toContain("dave@example.com");
  });

  it("on a missed deadline with on_missed: revoke removes the overdue member (verified), keeps reconcile from re-adding them and opens a PR deleting their line", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(-1), "alice@example.com": inDays(3) }, onMissed: "revoke", enforce: true }));
    expect(await waitForAudit(s, "review.overdue")).toMatchObject({ resource: RESOURCE, members: ["bob@example.com"], on_missed: "revoke" });
    expect(await waitForAudit(s, "review.member_removed")).toMatchObject({ email: "bob@example.com", cause: "missed", verified: true });
    expect(s.members("aws", "prod-db-readonly")).toEqual(["alice@example.com"]);
    await waitForDm(s, s.person("bob").slack, /standing access to \*prod-db-readonly\* was removed: its access review was not certified before the deadline/);
    // The PR deleting bob's line, and a review of alice alone.
    const removal = await s.waitFor(async () => (await s.grantbot.deps.reviews.listByState(["open"])).find((r) => r.kind === "removal"), 10_000, "removal PR");
    expect(removal.branch).toBe(`review/${RESOURCE}/${inDays(0)}-missed`);
    expect(membersAt(s, removal.branch)).toEqual([{ email: "alice@example.com", review_after: inDays(3) }]);
    expect(s.github.pull(removal.prNumber!).labels).toContain("access-review");
    const review = await waitForOpenReview(s);
    expect(review.members.map((m) => m.email)).toEqual(["alice@example.com"]);
    // Reconcile (enforce: true) agrees: bob is not desired, so he is not added back.
    await s.grantbot.runTask("reconcile");
    await s.settle();
    expect(s.members("aws", "prod-db-readonly")).toEqual(["alice@example.com"]);
    // Handled once: the next check neither removes again nor opens another removal PR.
    await s.grantbot.runTask("access-reviews");
    expect(audits(s, "review.overdue")).toHaveLength(1);
    expect((await s.grantbot.deps.reviews.listByState(["opening", "open"])).filter((r) => r.kind === "removal")).toHaveLength(1);
  });

  it("on a missed deadline with on_missed: keep escalates to ops and keeps the access", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(-2) }, onMissed: "keep", enforce: true }));
    expect(await waitForAudit(s, "review.overdue")).toMatchObject({ resource: RESOURCE, members: ["bob@example.com"], on_missed: "keep" });
    await s.waitFor(() => s.slack.messages().some((m) => m.channel === OPS_CHANNEL && /Access review of prod-db-readonly is overdue/.test(m.text) && /keep their access/.test(m.text)), 5000, "ops escalation");
    const review = await waitForOpenReview(s);
    expect(review.members).toEqual([expect.objectContaining({ email: "bob@example.com", status: "overdue" })]);
    await s.grantbot.runTask("reconcile");
    await s.settle();
    expect(s.members("aws", "prod-db-readonly")).toEqual(["bob@example.com"]);
    expect(audits(s, "review.member_removed")).toEqual([]);
  });

  it("keeps the membership of a removed standing member while their active grant still covers it", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(5) } }));
    const review = await waitForOpenReview(s);
    const grant = await activeGrant(s, s.person("bob").slack, `${RESOURCE} 1h INC-9 one more hour`, "erin-gh");
    const head = deleteOnBranch(s, review, ["bob@example.com"]);
    await approveAndMerge(s, review.prNumber, "carol-gh", head);
    expect(await waitForAudit(s, "review.member_removed")).toMatchObject({
      email: "bob@example.com",
      cause: "review",
      verified: true,
      groups: [{ group: "prod-db-readonly", outcome: "kept", keptBy: `grant ${grant.id}` }],
    });
    expect(s.members("aws", "prod-db-readonly")).toContain("bob@example.com");
  });

  it("opens no PR when nobody is due", async () => {
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(30), "alice@example.com": inDays(200) } }));
    await s.grantbot.runTask("access-reviews");
    await s.settle();
    expect(s.github.pulls().filter((p) => p.labels.includes("access-review"))).toEqual([]);
    expect(await s.grantbot.deps.reviews.recent(10)).toEqual([]);
    const cli = captureIO(s.env);
    expect(await main(["reviews"], cli)).toBe(0);
    expect(cli.out.join("")).toMatch(/DUE \(0\)[\s\S]*OVERDUE \(0\)[\s\S]*OPEN PRS \(0\)/);
  });
});
