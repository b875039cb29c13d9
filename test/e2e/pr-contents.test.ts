import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { fileRequest } from "./flows.ts";

describe("the pull request grantbot opens for a request", () => {
  let stack: Stack;
  let filed: { grantId: string; pr: number };
  let calls: Array<{ method: string; path: string; status: number }>;

  beforeAll(async () => {
    stack = await Stack.start();
    // Warm the catalog cache, so only the calls that open the PR are counted below.
    await stack.grantbot.deps.policy.current();
    stack.github.resetCalls();
    filed = await fileRequest(stack, stack.person("dave").slack, "prod-db-readonly 2h INC-1234 investigate replica lag");
    await stack.settle();
    calls = stack.github.calls().map((c) => ({ method: c.method, path: c.path, status: c.status }));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("commits grants/<resource>/<grant-id>.yaml on branch grant/<grant-id> in exactly the documented format", async () => {
    const grant = await stack.grant(filed.grantId);
    const pull = stack.github.pull(filed.pr);
    expect(pull.headRef).toBe(`grant/${filed.grantId}`);
    expect(pull.baseRef).toBe("main");
    const requestedAt = new Date(Math.floor(grant.requestedAt / 1000) * 1000).toISOString().replace(".000Z", "Z");
    expect(Math.abs(Date.parse(requestedAt) - Date.now())).toBeLessThan(60_000);
    expect(stack.github.fileAt(`grant/${filed.grantId}`, `grants/prod-db-readonly/${filed.grantId}.yaml`)).toBe(
      [
        `id: ${filed.grantId}`,
        "resource: prod-db-readonly",
        "subject: dave@example.com",
        "requester: dave@example.com",
        "duration: 2h",
        "reason: INC-1234 investigate replica lag",
        `requested_at: ${requestedAt}`,
        "",
      ].join("\n"),
    );
  });

  it("adds nothing but that one file, in one commit on top of the base branch", () => {
    const branch = `grant/${filed.grantId}`;
    expect(stack.github.commitsAhead(branch)).toHaveLength(1);
    expect(stack.github.fileAt(branch, "grants/catalog.yaml")).toBe(stack.github.fileAt("main", "grants/catalog.yaml"));
    expect(stack.github.fileAt(branch, "grants/people.yaml")).toBe(stack.github.fileAt("main", "grants/people.yaml"));
    expect(stack.github.fileAt("main", `grants/prod-db-readonly/${filed.grantId}.yaml`)).toBeNull();
  });

  it("says who, what, how long, why and which policy applies in the PR body", () => {
    const { title, body } = stack.github.pull(filed.pr);
    expect(title).toBe("Access: prod-db-readonly for dave@example.com (2h)");
    expect(body).toContain("dave@example.com (self-requested)");
    expect(body).toContain("`prod-db-readonly` — Read-only access to the production PostgreSQL replica");
    expect(body).toContain("2h from activation (the catalog allows at most 4h)");
    expect(body).toContain("| **Why** | INC-1234 investigate replica lag |");
    expect(body).toContain("**Approvers:** @acme/dba, @carol-gh — at least **1 approval** required.");
    expect(body).toContain("**final commit**");
    expect(body).toContain(filed.grantId);
  });

  it("labels the PR as a grantbot access request for its resource", () => {
    expect(stack.github.pull(filed.pr).labels.sort()).toEqual(["access-request", "grantbot", "resource:prod-db-readonly"]);
  });

  it("reads the catalog at most once (conditionally) and opens the PR with at most 5 GitHub API calls", () => {
    const isPolicyRead = (c: { method: string; path: string }) => c.method === "GET" && /\/contents\/grants\/(catalog|people)\.yaml$/.test(c.path);
    const reads = calls.filter(isPolicyRead);
    expect(new Set(reads.map((c) => c.path)).size).toBe(reads.length);
    expect(reads.every((c) => c.status === 304)).toBe(true);
    // After the PR is open, the request card looks up which people.yaml entries are in the approver
    // teams (to DM them); those reads are not part of opening the PR.
    const isApproverLookup = (c: { method: string; path: string }) => c.method === "GET" && /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\//.test(c.path);
    const opening = calls.filter((c) => !isPolicyRead(c) && !isApproverLookup(c));
    expect(opening.length, JSON.stringify(opening)).toBeLessThanOrEqual(5);
    expect(opening.filter((c) => c.method === "POST" && c.path.endsWith("/pulls"))).toHaveLength(1);
  });

  it("DMs the requester the PR link", async () => {
    const dave = stack.person("dave");
    await stack.waitFor(() => stack.dmTexts(dave.slack).some((t) => t.includes(`/pull/${filed.pr}|PR #${filed.pr}>`)), 5000, "PR link DM");
  });

  it("sends GitHub nothing that its API description rejects", () => {
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
