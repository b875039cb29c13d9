/**
 * grants-repo/ copied into a temporary directory laid out like a separate grants repository (its
 * own git history, no package.json), with pull requests simulated as GitHub checks them out (a
 * merge commit whose first parent is the base branch). Its validate-grants workflow is run by
 * workflow-runner.ts: the workflow's own scripts and the grantbot action's steps, against this
 * checkout of grantbot (the action's `npm ci` itself runs in test/packaging/grants-action.test.ts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCommand } from "../../src/cli/commands.ts";
import { FakeIssueComments } from "./fake-issue-comments.ts";
import { GRANTBOT_ACTION_RE, readWorkflow, runJob, type RunOptions, type Workflow } from "./workflow-runner.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const GRANT = readFileSync(join(ROOT, "grants/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml"), "utf8");
const UNKNOWN_RESOURCE_GRANT = GRANT.replace("id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5A", "id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5C").replace("resource: prod-db-readonly", "resource: staging-db");

let root: string;
let repo: string;
let actionPath: string;
let env: Record<string, string>;

const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });

/** Commits `change` on `branch` and checks out what GitHub runs a pull request on: main merged with it. */
function pullRequest(branch: string, change: () => void): void {
  const exists = git("branch", "--list", branch).trim() !== "";
  git("checkout", "-q", ...(exists ? [branch] : ["-b", branch, "main"]));
  change();
  git("add", "-A");
  git("commit", "-q", "-m", `change on ${branch}`);
  git("checkout", "-q", "--detach", "main");
  git("merge", "-q", "--no-ff", "--no-edit", branch);
}

function write(path: string, text: string): void {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), text);
}

function options(eventName: RunOptions["eventName"], extra: Record<string, string> = {}, pr = 7): RunOptions {
  return { workspace: repo, eventName, event: eventName === "pull_request" ? { pull_request: { number: pr } } : {}, actionPath, env: { ...env, ...extra } };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "grantbot-grants-repo-"));
  // The grants repository: the template and nothing else (no package.json, no node_modules).
  repo = join(root, "grants");
  cpSync(join(ROOT, "grants-repo"), repo, { recursive: true });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "ops@example.com");
  git("config", "user.name", "ops");
  git("add", "-A");
  git("commit", "-q", "-m", "grants repository from grantbot's grants-repo/ template");
  // Where GitHub would check the action's repository out: this checkout's code, already installed.
  const grantbot = join(root, "grantbot");
  mkdirSync(join(grantbot, ".github/actions"), { recursive: true });
  for (const name of ["bin", "src", "node_modules"]) symlinkSync(join(ROOT, name), join(grantbot, name));
  for (const name of ["package.json", "package-lock.json"]) cpSync(join(ROOT, name), join(grantbot, name));
  cpSync(join(ROOT, ".github/actions/grantbot"), join(grantbot, ".github/actions/grantbot"), { recursive: true });
  writeFileSync(join(grantbot, ".grantbot-installed"), `${createHash("sha256").update(readFileSync(join(ROOT, "package-lock.json"))).digest("hex")}\n`);
  actionPath = join(grantbot, ".github/actions/grantbot");
  // npm must not install anything here: it would run in the shared checkout's node_modules.
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "npm"), `#!/bin/sh\nif [ "$1 $2 $3" = "config get cache" ]; then echo "${root}/npm-cache"; exit 0; fi\necho "npm $* must not run in this test" >&2\nexit 99\n`, { mode: 0o755 });
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: root, GITHUB_REPOSITORY: "acme/grants" };
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the grants-repo/ workflow", () => {
  let workflow: Workflow;
  beforeAll(() => {
    workflow = readWorkflow(join(repo, ".github/workflows/validate-grants.yml"));
  });

  it("always reports: no paths filter on any trigger, no condition on the validate-grants job", () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(["pull_request", "merge_group", "push"]));
    for (const [trigger, settings] of Object.entries(workflow.on)) {
      expect(Object.keys(settings ?? {}), trigger).not.toContain("paths");
      expect(Object.keys(settings ?? {}), trigger).not.toContain("paths-ignore");
    }
    expect(workflow.jobs["validate-grants"]).toMatchObject({ name: "validate-grants" });
    expect(workflow.jobs["validate-grants"]!.if).toBeUndefined();
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.defaults).toEqual({ run: { shell: "bash" } });
  });

  it("uses the grantbot action pinned to this release, and only pull-request comments may write", () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.uses).filter((u) => u && GRANTBOT_ACTION_RE.test(u)));
    expect(uses.length).toBe(2);
    for (const u of uses) expect(u).toMatch(new RegExp(`^[A-Za-z0-9-]+/grantbot/\\.github/actions/grantbot@v${VERSION.replaceAll(".", "\\.")}$`));
    expect(workflow.jobs["validate-grants"]!.permissions).toBeUndefined();
    expect(workflow.jobs["access-diff"]!.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("passes on the template as copied, on a push to main", async () => {
    const run = await runJob(workflow, "validate-grants", options("push"));
    expect(run.ok, run.output).toBe(true);
    expect(run.output).toContain("grants OK: 4 resources, 6 people, 0 grants");
  });
});

describe("validate-grants on pull requests", () => {
  let workflow: Workflow;
  beforeAll(() => {
    workflow = readWorkflow(join(repo, ".github/workflows/validate-grants.yml"));
  });

  it("validates a pull request adding a grant and reports success", async () => {
    pullRequest("grant/valid", () => write("grants/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml", GRANT));
    const run = await runJob(workflow, "validate-grants", options("pull_request"));
    expect(run.ok, run.output).toBe(true);
    expect(run.steps.find((s) => s.name === "grantbot validate")).toMatchObject({ ran: true, status: 0 });
    expect(run.output).toContain("grants OK: 4 resources, 6 people, 1 grants");
  });

  it("fails a grant for an unknown resource with file:line: message, which the problem matcher annotates", async () => {
    pullRequest("grant/unknown-resource", () => write("grants/staging-db/01JD2S3K7Q8R9T0V1W2X3Y4Z5C.yaml", UNKNOWN_RESOURCE_GRANT));
    const run = await runJob(workflow, "validate-grants", options("pull_request"));
    expect(run.ok).toBe(false);
    const line = "grants/staging-db/01JD2S3K7Q8R9T0V1W2X3Y4Z5C.yaml:2: unknown resource staging-db: it is not in grants/catalog.yaml";
    expect(run.output).toContain(`${line}\n1 problem\n`);
    const matcher = JSON.parse(readFileSync(join(actionPath, "problem-matcher.json"), "utf8")) as { problemMatcher: { pattern: { regexp: string }[] }[] };
    const match = new RegExp(matcher.problemMatcher[0]!.pattern[0]!.regexp).exec(line);
    expect(match?.slice(1)).toEqual(["grants/staging-db/01JD2S3K7Q8R9T0V1W2X3Y4Z5C.yaml", "2", "unknown resource staging-db: it is not in grants/catalog.yaml"]);
    // The same command straight from the grantbot checkout gives the same answer.
    const direct = (() => {
      try {
        return { status: 0, stdout: execFileSync("node", [join(ROOT, "bin/grantbot.js"), "validate", join(repo, "grants")], { cwd: repo, encoding: "utf8" }) };
      } catch (error) {
        return error as { status: number; stdout: string };
      }
    })();
    expect(direct).toMatchObject({ status: 1, stdout: `${line}\n1 problem\n` });
  });

  it("fails a catalog change whose CODEOWNERS was not regenerated", async () => {
    pullRequest("policy/stale-codeowners", () => {
      const catalog = readFileSync(join(repo, "grants/catalog.yaml"), "utf8");
      write("grants/catalog.yaml", catalog.replace("teams: [acme/sre]", "teams: [acme/sre, acme/security]"));
    });
    const run = await runJob(workflow, "validate-grants", options("pull_request"));
    expect(run.ok).toBe(false);
    expect(run.output).toMatch(/^\.github\/CODEOWNERS:\d+: out of date with grants\/catalog\.yaml/m);
  });

  it("reports success without validating when the pull request changes nothing it checks", async () => {
    pullRequest("docs/readme", () => write("README.md", "# acme grants\n"));
    const run = await runJob(workflow, "validate-grants", options("pull_request"));
    expect(run.ok, run.output).toBe(true);
    expect(run.steps.find((s) => s.name === "grantbot validate")).toMatchObject({ ran: false });
    expect(run.summary).toMatch(/changes nothing under grants\/, \.github\/CODEOWNERS or this workflow: nothing to validate/);
  });

  it("validates every pull request that changes the workflow itself", async () => {
    pullRequest("ci/workflow", () => write(".github/workflows/validate-grants.yml", `${readFileSync(join(repo, ".github/workflows/validate-grants.yml"), "utf8")}\n`));
    const run = await runJob(workflow, "validate-grants", options("pull_request"));
    expect(run.steps.find((s) => s.name === "grantbot validate")).toMatchObject({ ran: true, status: 0 });
  });
});

describe.skipIf(!findCommand("diff"))("access-diff: one pull-request comment with grantbot diff", () => {
  let workflow: Workflow;
  let github: FakeIssueComments;
  beforeAll(async () => {
    workflow = readWorkflow(join(repo, ".github/workflows/validate-grants.yml"));
    github = await FakeIssueComments.start();
  });
  afterAll(async () => {
    await github?.stop();
  });
  const api = () => ({ GITHUB_API_URL: github.url });

  it("comments once with the diff and edits the same comment on the next push", async () => {
    github.addHumanComment(21, "<!-- grantbot-diff -->\nquoted by a person: never edited");
    pullRequest("policy/longer-db", () => {
      const catalog = readFileSync(join(repo, "grants/catalog.yaml"), "utf8");
      write("grants/catalog.yaml", catalog.replace("duration: { default: 1h, max: 4h }", "duration: { default: 1h, max: 8h }"));
    });
    const first = await runJob(workflow, "access-diff", options("pull_request", api(), 21));
    expect(first.ok, first.output).toBe(true);
    expect(first.summary).toMatch(/^<!-- grantbot-diff -->\n/);
    expect(first.summary).toContain("prod-db-readonly");
    expect(github.botComments(21)).toEqual([first.summary]);

    pullRequest("policy/longer-db", () => {
      const catalog = readFileSync(join(repo, "grants/catalog.yaml"), "utf8");
      write("grants/catalog.yaml", catalog.replace("duration: { default: 4h, max: 1d }", "duration: { default: 4h, max: 2d }"));
    });
    const second = await runJob(workflow, "access-diff", options("pull_request", api(), 21));
    expect(second.ok, second.output).toBe(true);
    expect(second.summary).toContain("snowflake-analyst");
    expect(github.botComments(21)).toEqual([second.summary]);
    expect(github.calls.filter((c) => c.method !== "GET").map((c) => c.method)).toEqual(["POST", "PATCH"]);

    await runJob(workflow, "access-diff", options("pull_request", api(), 21));
    expect(github.calls.filter((c) => c.method !== "GET").map((c) => c.method)).toEqual(["POST", "PATCH"]);
    expect(github.humanComments(21)).toEqual(["<!-- grantbot-diff -->\nquoted by a person: never edited"]);
  });

  it("does not comment on a pull request that leaves the policy alone", async () => {
    pullRequest("grant/no-policy-change", () => write("grants/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5B.yaml", GRANT.replace("Z5A", "Z5B")));
    const run = await runJob(workflow, "access-diff", options("pull_request", api(), 22));
    expect(run.ok, run.output).toBe(true);
    expect(run.output).toContain("pull request #22: comment none");
    expect(github.botComments(22)).toEqual([]);
  });

  it("does not run on a push", async () => {
    git("checkout", "-q", "main");
    expect((await runJob(workflow, "access-diff", options("push", api()))).ran).toBe(false);
  });
});
