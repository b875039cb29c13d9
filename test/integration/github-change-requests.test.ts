import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OctokitChangeRequests } from "../../src/adapters/github/change-requests.ts";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";

const TOKEN = "ghp_changerequests000000000000000000000000";
let fake: FakeGitHub;
let changes: OctokitChangeRequests;
let seq = 0;

beforeAll(async () => {
  fake = await FakeGitHub.start({ repository: "acme/grants", tokens: [TOKEN] });
  fake.seed({ "grants/catalog.yaml": "resources: {}\n" });
  const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "token", token: TOKEN } });
  changes = new OctokitChangeRequests({ octokit, owner: "acme", repo: "grants", baseBranch: "main" });
});

afterAll(() => fake.close());

afterEach(() => {
  expect(fake.validationErrors()).toEqual([]);
  expect(fake.responseValidationErrors()).toEqual([]);
});

async function openGrant(content = "id: x\nduration: 1h\n") {
  const n = ++seq;
  const input = { branch: `grant/g${n}`, path: `grants/res/g${n}.yaml`, content, commitMessage: `grant g${n}`, title: `Access g${n}`, body: "body", labels: [] };
  const opened = await changes.open(input);
  return { ...input, ...opened };
}

describe("OctokitChangeRequests", () => {
  it("reports an open PR's head, branch and base", async () => {
    const g = await openGrant();
    expect(await changes.get(g.number)).toEqual({
      number: g.number,
      url: g.url,
      state: "open",
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeSha: null,
      headSha: g.headSha,
      headRef: g.branch,
      baseRef: "main",
      closedAt: null,
    });
  });

  it("reports a merge with its merge commit, merger and time, and reads the merged file at the merge sha", async () => {
    const g = await openGrant("id: merged\n");
    const mergeSha = fake.merge(g.number, { by: "carol-gh" });
    const pr = await changes.get(g.number);
    expect(pr).toMatchObject({ state: "closed", merged: true, mergedBy: "carol-gh", mergeSha, headSha: g.headSha });
    expect(pr.mergedAt).toBeTypeOf("number");
    expect(pr.closedAt).toBe(pr.mergedAt);
    expect(await changes.readFile(g.path, mergeSha)).toBe("id: merged\n");
    expect(await changes.readFile("grants/catalog.yaml", mergeSha)).toBe("resources: {}\n");
  });

  it("reads the tampered text when a push changed the file before the merge", async () => {
    const g = await openGrant("duration: 1h\n");
    const pushed = fake.pushToBranch(g.branch, { [g.path]: "duration: 30d\n" });
    const mergeSha = fake.merge(g.number, { by: "carol-gh" });
    expect((await changes.get(g.number)).headSha).toBe(pushed);
    expect(await changes.readFile(g.path, mergeSha)).toBe("duration: 30d\n");
  });

  it("answers null for a path or ref that does not exist, and for a directory", async () => {
    expect(await changes.readFile("grants/nope.yaml", "main")).toBeNull();
    expect(await changes.readFile("grants/catalog.yaml", "0".repeat(40))).toBeNull();
    expect(await changes.readFile("grants", "main")).toBeNull();
  });

  it("lists every review oldest first, following pages", async () => {
    const g = await openGrant();
    const logins = Array.from({ length: 230 }, (_, i) => `reviewer-${i}`);
    for (const login of logins) fake.addReview(g.number, { login, state: "COMMENTED" });
    fake.addReview(g.number, { login: "carol-gh", state: "APPROVED" });
    fake.addReview(g.number, { login: "dave-gh", state: "APPROVED", commitId: "a".repeat(40) });
    fake.resetCalls();

    const reviews = await changes.listReviews(g.number);
    expect(fake.calls().filter((c) => c.op === "pulls/list-reviews").map((c) => c.query["page"] ?? "1")).toEqual(["1", "2", "3"]);
    expect(reviews).toHaveLength(232);
    expect(reviews[0]).toMatchObject({ login: "reviewer-0", state: "COMMENTED", commitId: g.headSha });
    expect(reviews.at(-2)).toMatchObject({ login: "carol-gh", state: "APPROVED", commitId: g.headSha });
    expect(reviews.at(-1)).toMatchObject({ login: "dave-gh", state: "APPROVED", commitId: "a".repeat(40) });
    expect(reviews.at(-1)!.submittedAt).toBeTypeOf("number");
    expect(new Set(reviews.map((r) => r.id)).size).toBe(232);
  });

  it("tells active team members from pending invitees and outsiders", async () => {
    fake.setTeamMembers("acme/dba", { "carol-gh": "active", "erin-gh": "pending" });
    expect(await changes.isTeamMember("acme/dba", "carol-gh")).toBe(true);
    expect(await changes.isTeamMember("acme/dba", "Carol-GH")).toBe(true);
    expect(await changes.isTeamMember("@acme/dba", "carol-gh")).toBe(true);
    expect(await changes.isTeamMember("acme/dba", "erin-gh")).toBe(false);
    expect(await changes.isTeamMember("acme/dba", "mallory")).toBe(false);
    expect(await changes.isTeamMember("acme/no-such-team", "carol-gh")).toBe(false);
    await expect(changes.isTeamMember("dba", "carol-gh")).rejects.toMatchObject({ code: "bad_input" });
  });

  it("posts a comment, cut to GitHub's 65 536-character limit", async () => {
    const g = await openGrant();
    await changes.comment(g.number, "✅ Active until 2026-11-22T12:00:00Z");
    await changes.comment(g.number, "x".repeat(70_000));
    const comments = fake.comments(g.number);
    expect(comments[0]).toBe("✅ Active until 2026-11-22T12:00:00Z");
    expect(comments[1]).toHaveLength(65_536);
  });

  it("closes an open PR after commenting, and does nothing to a closed one", async () => {
    const g = await openGrant();
    fake.resetCalls();
    await changes.close(g.number, "The requester left; closing.");
    expect(fake.calls().map((c) => c.op)).toEqual(["pulls/get", "issues/create-comment", "pulls/update"]);
    expect(fake.pull(g.number)).toMatchObject({ state: "closed", merged: false });
    expect(fake.comments(g.number)).toEqual(["The requester left; closing."]);

    fake.resetCalls();
    await changes.close(g.number, "again");
    expect(fake.calls().map((c) => c.op)).toEqual(["pulls/get"]);
    expect(fake.comments(g.number)).toHaveLength(1);
  });

  it("lists recently closed PRs newest update first and answers not_modified while nothing changed", async () => {
    const merged = await openGrant();
    const declined = await openGrant();
    const mergeSha = fake.merge(merged.number, { by: "carol-gh" });
    fake.closePr(declined.number);

    const first = await changes.listRecentlyClosed();
    if (first === "not_modified") throw new Error("expected a listing");
    const mine = first.filter((p) => p.number === merged.number || p.number === declined.number);
    expect(mine.find((p) => p.number === merged.number)).toMatchObject({ state: "closed", merged: true, mergeSha, headSha: merged.headSha, mergedBy: null });
    expect(mine.find((p) => p.number === declined.number)).toMatchObject({ state: "closed", merged: false, mergeSha: null });
    const updated = first.map((p) => p.closedAt ?? 0);
    expect([...updated].sort((a, b) => b - a)).toEqual(updated);

    fake.resetCalls();
    expect(await changes.listRecentlyClosed()).toBe("not_modified");
    const [call] = fake.calls();
    expect(call).toMatchObject({ op: "pulls/list", status: 304 });
    expect(call!.query).toMatchObject({ state: "closed", sort: "updated", direction: "desc", per_page: "50", base: "main" });

    const later = await openGrant();
    fake.closePr(later.number);
    const third = await changes.listRecentlyClosed();
    expect(third).not.toBe("not_modified");
    expect((third as { number: number }[]).some((p) => p.number === later.number)).toBe(true);
    expect(await changes.listRecentlyClosed()).toBe("not_modified");
  });
});
