import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { OctokitChangeRequests } from "../../src/adapters/github/change-requests.ts";
import { renderPrBody, renderPrTitle } from "../../src/domain/pr-body.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";

const TOKEN = "ghp_testtoken0000000000000000000000000000";
let fake: FakeGitHub;
let changes: OctokitChangeRequests;
let seq = 0;

beforeAll(async () => {
  fake = await FakeGitHub.start({ repository: "acme/grants", tokens: [TOKEN] });
  fake.seed({ "grants/catalog.yaml": "resources: {}\n", "grants/people.yaml": "people: []\n" });
  const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "token", token: TOKEN } });
  changes = new OctokitChangeRequests({ octokit, owner: "acme", repo: "grants", baseBranch: "main" });
});

afterAll(() => fake.close());

afterEach(() => {
  expect(fake.validationErrors()).toEqual([]);
  expect(fake.responseValidationErrors()).toEqual([]);
});

function request(overrides: Partial<{ labels: string[]; content: string }> = {}) {
  const id = `01JD2S3K7Q8R9T0V1W2X3Y4Z${String(++seq).padStart(2, "0")}`;
  const input = {
    grantId: id,
    resource: "prod-db-readonly",
    resourceDescription: "Read-only access to the production PostgreSQL replica",
    subject: "alice@example.com",
    requester: "alice@example.com",
    duration: "2h",
    reason: "INC-1234 investigate replica lag",
    requestedAt: "2026-11-22T10:00:00Z",
    policy: { max: "4h", approvers: "@acme/dba, @carol-gh", min: 1, reasonRequired: true },
  };
  return {
    branch: `grant/${id}`,
    path: `grants/prod-db-readonly/${id}.yaml`,
    content: overrides.content ?? `id: ${id}\nresource: prod-db-readonly\nsubject: alice@example.com\nduration: 2h\n`,
    commitMessage: `Request prod-db-readonly for alice@example.com (2h)\n\nGrant ${id}`,
    title: renderPrTitle(input),
    body: renderPrBody(input),
    labels: overrides.labels ?? ["grantbot", "access-request", "resource:prod-db-readonly"],
  };
}

describe("OctokitChangeRequests.open", () => {
  it("opens a labelled PR with one commit in exactly five API calls", async () => {
    const input = request();
    fake.resetCalls();
    const opened = await changes.open(input);

    expect(fake.calls().map((c) => `${c.op} ${c.status}`)).toEqual([
      "git/get-ref 200",
      "git/create-ref 201",
      "repos/create-or-update-file-contents 201",
      "pulls/create 201",
      "issues/add-labels 200",
    ]);
    expect(fake.commitsAhead(input.branch)).toHaveLength(1);
    expect(fake.commitsAhead(input.branch)[0]).toBe(opened.headSha);
    const pr = fake.pull(opened.number);
    expect(pr).toMatchObject({ title: input.title, body: input.body, headRef: input.branch, baseRef: "main", headSha: opened.headSha, state: "open" });
    expect(pr.labels).toEqual(input.labels);
    expect(opened.url).toBe(`https://github.test/acme/grants/pull/${opened.number}`);
    expect(fake.fileAt(input.branch, input.path)).toBe(input.content);
    // The branch starts from the base branch, so the PR changes exactly one file.
    expect(fake.fileAt(input.branch, "grants/catalog.yaml")).toBe("resources: {}\n");
  });

  it("sends no label call when there are no labels", async () => {
    fake.resetCalls();
    await changes.open(request({ labels: [] }));
    expect(fake.calls().map((c) => c.op)).toEqual(["git/get-ref", "git/create-ref", "repos/create-or-update-file-contents", "pulls/create"]);
  });

  it("keeps the file byte-identical, including non-ASCII text and no trailing newline", async () => {
    const input = request({ content: "reason: \"café ☕ — Zürich\"\r\nsubject: ünïcode@example.com" });
    const opened = await changes.open(input);
    expect(await changes.readFile(input.path, opened.headSha)).toBe(input.content);
  });

  it("does not create a second commit or PR when retried after a crash before the PR was created", async () => {
    const input = request();
    fake.failNext(1, "network", { route: "pulls/create" });
    await expect(changes.open(input)).rejects.toMatchObject({ code: "target_unavailable", retryable: true });
    expect(fake.commitsAhead(input.branch)).toHaveLength(1);

    fake.resetCalls();
    const opened = await changes.open(input);
    expect(fake.calls().map((c) => `${c.op} ${c.status}`)).toEqual([
      "git/get-ref 200",
      "git/create-ref 422",
      "pulls/list 200",
      "repos/get-content 200",
      "pulls/create 201",
      "issues/add-labels 200",
    ]);
    expect(fake.commitsAhead(input.branch)).toHaveLength(1);
    expect(fake.pulls().filter((p) => p.headRef === input.branch)).toHaveLength(1);
    expect(fake.pull(opened.number).labels).toEqual(input.labels);
  });

  it("commits the file once when retried after a crash between creating the branch and committing", async () => {
    const input = request();
    fake.failNext(1, 503, { route: "repos/create-or-update-file-contents" });
    await expect(changes.open(input)).rejects.toMatchObject({ code: "target_unavailable" });
    expect(fake.commitsAhead(input.branch)).toHaveLength(0);

    const opened = await changes.open(input);
    expect(fake.commitsAhead(input.branch)).toEqual([opened.headSha]);
    expect(fake.fileAt(input.branch, input.path)).toBe(input.content);
  });

  it("returns the existing PR and adds missing labels when retried after the PR was created", async () => {
    const input = request();
    fake.failNext(1, 502, { route: "issues/add-labels" });
    await expect(changes.open(input)).rejects.toMatchObject({ code: "target_unavailable" });
    const first = fake.pulls().find((p) => p.headRef === input.branch)!;
    expect(first.labels).toEqual([]);

    fake.resetCalls();
    const opened = await changes.open(input);
    expect(opened).toEqual({ number: first.number, url: `https://github.test/acme/grants/pull/${first.number}`, headSha: first.headSha });
    expect(fake.calls().map((c) => c.op)).toEqual(["git/get-ref", "git/create-ref", "pulls/list", "issues/add-labels"]);
    expect(fake.pulls().filter((p) => p.headRef === input.branch)).toHaveLength(1);
    expect(fake.commitsAhead(input.branch)).toHaveLength(1);
  });

  it("is a no-op returning the same PR when called again after success", async () => {
    const input = request();
    const first = await changes.open(input);
    fake.resetCalls();
    const again = await changes.open(input);
    expect(again).toEqual(first);
    expect(fake.calls().map((c) => c.op)).toEqual(["git/get-ref", "git/create-ref", "pulls/list"]);
  });

  it("refuses to reuse a branch that holds a different grant file", async () => {
    const input = request();
    fake.failNext(1, 500, { route: "pulls/create" });
    await expect(changes.open(input)).rejects.toMatchObject({ code: "target_unavailable" });
    fake.pushToBranch(input.branch, { [input.path]: "tampered: true\n" });
    await expect(changes.open(input)).rejects.toMatchObject({ code: "target_rejected", retryable: false });
  });
});
