/**
 * The grantbot composite action installs grantbot for real: this repository's files (as GitHub
 * would check the action's repository out) are copied into an empty folder with no node_modules,
 * and the grants-repo/ template's workflow runs there through test/integration/workflow-runner.ts.
 * So the action's `npm ci --omit=dev --ignore-scripts` (from the npm registry) must give a
 * grantbot that validates and diffs a separate grants repository without dev dependencies and
 * without compiling anything; a second use of the action in the same job does not reinstall.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCommand } from "../../src/cli/commands.ts";
import { FakeIssueComments } from "../integration/fake-issue-comments.ts";
import { readWorkflow, runJob, type RunOptions } from "../integration/workflow-runner.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MINUTES = 60_000;

describe("the grantbot action, installed from its own checkout", () => {
  let root: string;
  let repo: string;
  let grantbot: string;
  let github: FakeIssueComments;
  const options = (eventName: RunOptions["eventName"]): RunOptions => ({
    workspace: repo, eventName, event: eventName === "pull_request" ? { pull_request: { number: 3 } } : {},
    actionPath: join(grantbot, ".github/actions/grantbot"),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? root, GITHUB_REPOSITORY: "acme/grants", GITHUB_API_URL: github.url },
  });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "grantbot-action-"));
    grantbot = join(root, "grantbot");
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
      mkdirSync(dirname(join(grantbot, file)), { recursive: true });
      cpSync(join(ROOT, file), join(grantbot, file));
    }
    repo = join(root, "grants");
    cpSync(join(ROOT, "grants-repo"), repo, { recursive: true });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("config", "user.email", "ops@example.com");
    git("config", "user.name", "ops");
    git("add", "-A");
    git("commit", "-q", "-m", "from the template");
    const catalog = join(repo, "grants/catalog.yaml");
    writeFileSync(catalog, readFileSync(catalog, "utf8").replace("duration: { default: 1h, max: 4h }", "duration: { default: 1h, max: 8h }"));
    git("commit", "-q", "-am", "longer database access");
    github = await FakeIssueComments.start();
  }, 2 * MINUTES);
  afterAll(async () => {
    await github?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("installs runtime dependencies only, compiles nothing, and validates the grants repository", async () => {
    const workflow = readWorkflow(join(repo, ".github/workflows/validate-grants.yml"));
    const run = await runJob(workflow, "validate-grants", options("push"));
    expect(run.ok, run.output).toBe(true);
    expect(run.output).toMatch(/grantbot \d+\.\d+\.\d+ from /);
    expect(run.output).toContain("grants OK: 4 resources, 6 people, 0 grants");
    expect(existsSync(join(grantbot, "node_modules/zod"))).toBe(true);
    expect(existsSync(join(grantbot, "node_modules/vitest"))).toBe(false);
    expect(existsSync(join(grantbot, "node_modules/better-sqlite3/build"))).toBe(false);
  }, 5 * MINUTES);

  it.skipIf(!findCommand("diff"))("runs grantbot diff on the last commit without installing again", async () => {
    const workflow = readWorkflow(join(repo, ".github/workflows/validate-grants.yml"));
    const marker = join(grantbot, ".grantbot-installed");
    writeFileSync(join(grantbot, "node_modules/.left-by-first-install"), "");
    const run = await runJob(workflow, "access-diff", options("pull_request"));
    expect(run.ok, run.output).toBe(true);
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(join(grantbot, "node_modules/.left-by-first-install"))).toBe(true);
    expect(run.summary).toContain("`duration.max` | `4h` | `8h`");
    expect(github.botComments(3)).toEqual([run.summary]);
  }, 2 * MINUTES);
});
