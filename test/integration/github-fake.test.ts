import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../fakes/fake-github/index.ts";

// The fake itself: GitHub's behaviour that the adapter tests rely on.
let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: "acme", repo: "grants" };
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  fake = await FakeGitHub.start({ repository: "acme/grants", tokens: ["t0ken"] });
  octokit = new Octokit({ baseUrl: fake.url, auth: "t0ken", log: silent });
});

afterAll(() => fake.close());

afterEach(() => {
  expect(fake.responseValidationErrors()).toEqual([]);
});

const statusOf = (p: Promise<unknown>) => p.then(() => 200, (e: { status: number }) => e.status);

describe("fake GitHub", () => {
  it("answers 401 without credentials or with an unknown token", async () => {
    expect(await statusOf(new Octokit({ baseUrl: fake.url, log: silent }).rest.git.getRef({ ...repo, ref: "heads/main" }))).toBe(401);
    expect(await statusOf(new Octokit({ baseUrl: fake.url, auth: "nope", log: silent }).rest.git.getRef({ ...repo, ref: "heads/main" }))).toBe(401);
  });

  it("rejects and records requests that do not match GitHub's OpenAPI description", async () => {
    const before = fake.validationErrors().length;
    const bad = octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: 42, sha: "abc" } as never);
    expect(await statusOf(bad)).toBe(422);
    const list = octokit.request("GET /repos/{owner}/{repo}/pulls", { ...repo, state: "shut", perPage: 5 } as never);
    expect(await statusOf(list)).toBe(422);
    const errors = fake.validationErrors().slice(before);
    expect(errors).toEqual([
      { route: "POST /repos/{owner}/{repo}/git/refs", errors: ["body/ref must be string"] },
      {
        route: "GET /repos/{owner}/{repo}/pulls",
        errors: ['query parameter "state" must be equal to one of the allowed values (["open","closed","all"])', 'unknown query parameter "perPage"'],
      },
    ]);
  });

  it("hashes objects like git and decodes URL-encoded path parameters", async () => {
    fake.seed({ "docs/hello.txt": "hello\n" });
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: "docs/hello.txt" });
    expect(data).toMatchObject({ sha: "ce013625030ba8dba906f756967f9e9ca394464a", path: "docs/hello.txt", encoding: "base64" });
    const encoded = await octokit.rest.git.getRef({ ...repo, ref: "heads/main" });
    const raw = await octokit.request(`GET /repos/acme/grants/git/ref/heads/main`);
    expect(raw.data).toEqual(encoded.data);
    expect(fake.calls().slice(-2).map((c) => c.path)).toEqual(["/repos/acme/grants/git/ref/heads/main", "/repos/acme/grants/git/ref/heads/main"]);
  });

  it("builds one commit from nested tree entries through the Git database API", async () => {
    const before = fake.validationErrors().length;
    const branch = await octokit.rest.repos.getBranch({ ...repo, branch: "main" });
    const tree = await octokit.rest.git.createTree({
      ...repo,
      base_tree: branch.data.commit.commit.tree.sha,
      tree: [{ path: "grants/res/one.yaml", mode: "100644", type: "blob", content: "id: one\n" }],
    });
    expect(tree.data.tree.map((e) => e.path)).toEqual(["README.md", "docs", "grants"]);
    const commit = await octokit.rest.git.createCommit({ ...repo, message: "one", tree: tree.data.sha, parents: [branch.data.commit.sha] });
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/grant/one", sha: commit.data.sha });
    expect(await statusOf(octokit.rest.git.createRef({ ...repo, ref: "refs/heads/grant/one", sha: commit.data.sha }))).toBe(422);
    expect(fake.commitsAhead("grant/one")).toEqual([commit.data.sha]);
    expect(fake.fileAt("grant/one", "grants/res/one.yaml")).toBe("id: one\n");
    expect(fake.fileAt("grant/one", "docs/hello.txt")).toBe("hello\n");
    await octokit.rest.git.deleteRef({ ...repo, ref: "heads/grant/one" });
    expect(fake.branchSha("grant/one")).toBeUndefined();
    expect(fake.validationErrors().slice(before)).toEqual([]);
  });

  it("merges with a two-parent merge commit holding the PR's changes, and moves head on pushes", async () => {
    fake.seed({ "x/base.txt": "base\n" });
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/feature", sha: fake.branchSha("main")! });
    fake.pushToBranch("feature", { "x/new.txt": "new\n" });
    const pr = await octokit.rest.pulls.create({ ...repo, head: "feature", base: "main", title: "t" });
    fake.seed({ "x/other.txt": "other\n" });
    const pushed = fake.pushToBranch("feature", { "x/new.txt": "newer\n" });
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: pr.data.number })).data.head.sha).toBe(pushed);
    const mergeSha = fake.merge(pr.data.number, { by: "carol-gh" });
    const merge = await octokit.rest.git.getRef({ ...repo, ref: "heads/main" });
    expect(merge.data.object.sha).toBe(mergeSha);
    expect(fake.state.git.commit(mergeSha)!.parents).toHaveLength(2);
    expect(["x/base.txt", "x/new.txt", "x/other.txt"].map((p) => fake.fileAt(mergeSha, p))).toEqual(["base\n", "newer\n", "other\n"]);
    const got = (await octokit.rest.pulls.get({ ...repo, pull_number: pr.data.number })).data;
    expect(got).toMatchObject({ state: "closed", merged: true, merge_commit_sha: mergeSha, merged_by: { login: "carol-gh" } });
  });

  it("pages pull lists with Link headers and answers 304 to a matching If-None-Match", async () => {
    for (let i = 0; i < 5; i++) {
      await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/p${i}`, sha: fake.branchSha("main")! });
      fake.pushToBranch(`p${i}`, { [`p/${i}.txt`]: `${i}\n` });
      await octokit.rest.pulls.create({ ...repo, head: `p${i}`, base: "main", title: `p${i}` });
    }
    const all = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: "open", per_page: 2 });
    expect(all.map((p) => p.title)).toEqual(["p4", "p3", "p2", "p1", "p0"]);
    const first = await octokit.rest.pulls.list({ ...repo, state: "open" });
    const again = octokit.rest.pulls.list({ ...repo, state: "open", headers: { "if-none-match": first.headers.etag! } });
    expect(await statusOf(again)).toBe(304);
    const mine = await octokit.rest.pulls.list({ ...repo, state: "all", head: "acme:p3" });
    expect(mine.data.map((p) => p.title)).toEqual(["p3"]);
  });

  it("fails only the requests chosen by failNext", async () => {
    fake.failNext(2, 503, { route: "GET /repos/{owner}/{repo}/git/ref/{ref}" });
    expect(await statusOf(octokit.rest.pulls.list({ ...repo }))).toBe(200);
    expect(await statusOf(octokit.rest.git.getRef({ ...repo, ref: "heads/main" }))).toBe(503);
    expect(await statusOf(octokit.rest.git.getRef({ ...repo, ref: "heads/main" }))).toBe(503);
    expect(await statusOf(octokit.rest.git.getRef({ ...repo, ref: "heads/main" }))).toBe(200);
  });
});
