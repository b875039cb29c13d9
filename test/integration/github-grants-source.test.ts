import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OctokitGrantsSource } from "../../src/adapters/github/grants-source.ts";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";

const TOKEN = "ghp_grantssource33333333333333333333333333";
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await FakeGitHub.start({ tokens: [TOKEN] });
});

afterAll(() => fake.close());

afterEach(() => {
  expect(fake.validationErrors()).toEqual([]);
  expect(fake.responseValidationErrors()).toEqual([]);
});

function source(): OctokitGrantsSource {
  const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "token", token: TOKEN } });
  return new OctokitGrantsSource({ octokit, owner: fake.owner, repo: fake.repo, baseBranch: "main" });
}

const statuses = () => fake.calls().map((c) => `${c.query["ref"]}:${c.path.split("/contents/")[1]} ${c.status}`);

describe("OctokitGrantsSource", () => {
  it("says the catalog is missing with bad_input", async () => {
    await expect(source().readPolicyFiles()).rejects.toMatchObject({ code: "bad_input", message: expect.stringContaining("grants/catalog.yaml") });
  });

  it("reads both files from the base branch, then answers from cache on 304 until a file changes", async () => {
    fake.seed({ "grants/catalog.yaml": "resources: {}\n", "grants/people.yaml": "people: []\n" });
    const grants = source();
    fake.resetCalls();
    expect(await grants.readPolicyFiles()).toEqual({
      catalog: { path: "grants/catalog.yaml", text: "resources: {}\n" },
      people: { path: "grants/people.yaml", text: "people: []\n" },
    });
    expect(statuses().sort()).toEqual(["main:grants/catalog.yaml 200", "main:grants/people.yaml 200"]);

    fake.resetCalls();
    expect(await grants.readPolicyFiles()).toMatchObject({ catalog: { text: "resources: {}\n" }, people: { text: "people: []\n" } });
    expect(statuses().sort()).toEqual(["main:grants/catalog.yaml 304", "main:grants/people.yaml 304"]);
    expect(fake.calls().every((c) => c.auth?.token === TOKEN)).toBe(true);

    fake.seed({ "grants/catalog.yaml": "resources:\n  prod-db: {}\n" });
    fake.resetCalls();
    expect((await grants.readPolicyFiles()).catalog.text).toBe("resources:\n  prod-db: {}\n");
    expect(statuses().sort()).toEqual(["main:grants/catalog.yaml 200", "main:grants/people.yaml 304"]);
  });

  it("answers people null when people.yaml is absent", async () => {
    fake.seed({ "grants/people.yaml": null });
    const files = await source().readPolicyFiles();
    expect(files.people).toBeNull();
    expect(files.catalog.text).toContain("prod-db");
  });

  it("fails with target_unavailable during an outage instead of returning stale text", async () => {
    const grants = source();
    await grants.readPolicyFiles();
    fake.failNext(2, 503, { route: "repos/get-content" });
    await expect(grants.readPolicyFiles()).rejects.toMatchObject({ code: "target_unavailable" });
  });
});
