import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli.ts";
import { runDiff } from "../../src/cli/diff.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/policy-diff", import.meta.url));
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

function fakeIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

let root: string;
let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env: GIT_ENV, encoding: "utf8" });

/**
 * A grants repository with four commits: `empty` (no grants/ yet), `before` (the before fixture),
 * `after` (the after fixture) and `broken` (an invalid catalog).
 */
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "grantbot-diff-"));
  repo = join(root, "repo");
  mkdirSync(join(repo, "grants"), { recursive: true });
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, "README.md"), "grants\n");
  git("add", "README.md");
  git("commit", "-q", "-m", "empty");
  git("tag", "empty");
  cpSync(join(FIXTURES, "before", "grants"), join(repo, "grants"), { recursive: true });
  git("add", "grants");
  git("commit", "-q", "-m", "before");
  git("tag", "before");
  cpSync(join(FIXTURES, "after"), join(repo, "grants"), { recursive: true });
  git("add", "grants");
  git("commit", "-q", "-m", "after");
  git("tag", "after");
  writeFileSync(join(repo, "grants", "catalog.yaml"), "resources:\n  db:\n    descripton: typo\n");
  git("add", "grants");
  git("commit", "-q", "-m", "broken");
  git("tag", "broken");
  git("checkout", "-q", "after", "--", "grants");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const EXPECTED_RISKS: Record<string, string[]> = {
  "break-glass-admin": ["approvers_fewer", "breakglass_added"],
  "prod-db-readonly": ["max_duration_up", "approver_added", "approver_remap", "standing_review_postponed", "approver_can_request"],
  "snowflake-analyst": [],
  "staging-db": ["resource_added", "approver_can_request"],
};

function checkMarkdown(out: string): void {
  expect(out.split("\n")[0]).toBe("<!-- grantbot-diff -->");
  expect(out).toContain("**⚠️ 4 resources changed, 10 risk flags**, 2 people changed in people.yaml");
  expect(out).toContain("#### ⚠️ `prod-db-readonly` — changed");
  expect(out).toContain("| `duration.max` | `4h` | `8h` |");
  expect(out).toContain("- ⚠️ `max_duration_up` max duration goes from 4h to 8h");
  expect(out).toContain("#### `snowflake-analyst` — removed");
  expect(out).toContain("#### ⚠️ `staging-db` — added");
  expect(out).toContain("- ⚠️ **sensitive** `mallory@example.com` added: github `carol-gh`");
  expect(out).toContain("  - ⚠️ `identity_remap` GitHub login carol-gh now maps to mallory@example.com (was carol@example.com)");
}

describe("grantbot diff on git refs", () => {
  it("prints the Markdown diff between two refs", async () => {
    const io = fakeIO(repo);
    expect(await runDiff(["before", "after"], io)).toBe(0);
    expect(io.err).toBe("");
    checkMarkdown(io.out);
    expect(io.out).toMatch(/from `before \([0-9a-f]{7}\)` to `after \([0-9a-f]{7}\)`/);
  });

  it("prints stable JSON with --json, from another directory through --dir", async () => {
    const io = fakeIO(root);
    expect(await runDiff(["--json", "--dir", "repo", "before", "after"], io)).toBe(0);
    const json = JSON.parse(io.out);
    expect(Object.keys(json)).toEqual(["resources", "people", "risks"]);
    expect(json.risks).toBe(10);
    expect(Object.fromEntries(json.resources.map((r: { id: string; risks: { code: string }[] }) => [r.id, r.risks.map((x) => x.code)]))).toEqual(EXPECTED_RISKS);
    expect(json.resources.map((r: { change: string }) => r.change)).toEqual(["changed", "changed", "removed", "added"]);
    expect(json.resources[1].fields[0]).toEqual({ field: "duration.max", before: "4h", after: "8h" });
    expect(json.people).toEqual([
      {
        email: "carol@example.com", change: "changed", sensitive: false,
        fields: [{ field: "github", before: "carol-gh", after: "carol-new-gh" }], risks: [],
      },
      {
        email: "mallory@example.com", change: "added", sensitive: true,
        fields: [{ field: "github", before: null, after: "carol-gh" }],
        risks: [{ code: "identity_remap", message: "GitHub login carol-gh now maps to mallory@example.com (was carol@example.com)" }],
      },
    ]);
  });

  it("compares with the working tree when no head is given", async () => {
    const io = fakeIO(repo);
    expect(await runDiff(["before"], io)).toBe(0);
    checkMarkdown(io.out);
    expect(io.out).toContain("to `working tree`");
  });

  it("treats a ref without the files as an empty policy", async () => {
    const io = fakeIO(repo);
    expect(await runDiff(["empty", "before", "--json"], io)).toBe(0);
    const json = JSON.parse(io.out);
    expect(json.resources.map((r: { change: string }) => r.change)).toEqual(["added", "added", "added"]);
    expect(json.people.map((p: { change: string }) => p.change)).toEqual(["added", "added", "added"]);
  });

  it("says nothing changed between identical refs", async () => {
    const io = fakeIO(repo);
    expect(await runDiff(["after", "HEAD~1"], io)).toBe(0);
    expect(io.out).toContain("No change to who can access what.");
  });

  it("exits 1 naming an unknown ref", async () => {
    const io = fakeIO(repo);
    expect(await runDiff(["no-such-branch", "after"], io)).toBe(1);
    expect(io.err).toMatch(/^grantbot diff: unknown ref no-such-branch in /);
    expect(io.out).toBe("");
  });

  it("exits 1 naming the invalid file, the ref and the line", async () => {
    const io = fakeIO(repo);
    expect(await runDiff(["after", "broken"], io)).toBe(1);
    expect(io.err).toMatch(/^grantbot diff: grants\/catalog\.yaml at ref broken \([0-9a-f]{7}\) is invalid:\n/);
    expect(io.err).toContain('grants/catalog.yaml:3: unknown key "resources.db.descripton" (check the spelling)');
  });

  it("exits 1 outside a git repository and 2 on a usage error", async () => {
    const outside = fakeIO(root);
    expect(await runDiff(["main"], outside)).toBe(1);
    expect(outside.err).toContain("is not inside a git repository");
    const usage = fakeIO(repo);
    expect(await runDiff([], usage)).toBe(2);
    expect(await runDiff(["a", "b", "c"], usage)).toBe(2);
    expect(await runDiff(["--frobnicate", "a"], usage)).toBe(2);
  });
});

describe("grantbot diff on two directories", () => {
  it("reads <dir>/grants/catalog.yaml or <dir>/catalog.yaml and prints the same diff", async () => {
    const io = fakeIO(FIXTURES);
    expect(await runDiff(["before", "after"], io)).toBe(0);
    checkMarkdown(io.out);
    expect(io.out).toContain("from `before` to `after`");
    const json = fakeIO(FIXTURES);
    expect(await runDiff(["before", "after", "--json"], json)).toBe(0);
    expect(JSON.parse(json.out).risks).toBe(10);
  });

  it("exits 1 when a directory holds no catalog", async () => {
    const io = fakeIO(root);
    expect(await runDiff([join(FIXTURES, "before"), root], io)).toBe(1);
    expect(io.err).toMatch(/holds neither grants\/catalog\.yaml nor catalog\.yaml/);
  });
});
