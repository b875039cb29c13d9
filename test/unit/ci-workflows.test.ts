/**
 * CI runs what the README promises, and this repository's validate-grants workflow follows the
 * same rules as the grants-repo/ template (always reports; uses the grantbot action).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { actionSchema, readWorkflow } from "../integration/workflow-runner.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("CI", () => {
  it(".ci/run installs Debian's chromium and postgresql when missing, then runs npm ci, npm run demo, npm test and npm run lint, in that order, and nothing else", () => {
    const commands = readFileSync(join(ROOT, ".ci/run"), "utf8").split("\n").map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "));
    // Packages come from the distribution, as root or through sudo (GitHub's runners are not root).
    const asRoot = [
      'as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }',
      'install_packages() { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }',
    ];
    // The one deliberate addition: the browser the evidence report's test drives (issue 16), at the
    // path that test uses.
    const chromium = ["if [ ! -x /usr/bin/chromium ]; then", "install_packages chromium", "fi"];
    // And the server binaries the PostgreSQL tests start (test/support/postgres-server.ts).
    const postgresql = ['if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then', "install_packages postgresql", "fi"];
    expect(commands).toEqual([...asRoot, ...chromium, ...postgresql, "npm ci", "npm run demo", "npm test", "npm run lint"]);
  });

  it("ci.yml runs .ci/run itself on every push and pull request", () => {
    const ci = readWorkflow(join(ROOT, ".github/workflows/ci.yml"));
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    const runs = Object.values(ci.jobs).flatMap((job) => job.steps.map((s) => s.run).filter(Boolean));
    expect(runs).toEqual([".ci/run"]);
  });
});

describe("this repository's validate-grants workflow", () => {
  const workflow = readWorkflow(join(ROOT, ".github/workflows/validate-grants.yml"));

  it("always reports: no paths filter, no condition on the validate-grants job", () => {
    for (const [trigger, settings] of Object.entries(workflow.on)) {
      expect(Object.keys(settings ?? {}), trigger).not.toContain("paths");
      expect(Object.keys(settings ?? {}), trigger).not.toContain("paths-ignore");
    }
    expect(workflow.jobs["validate-grants"]).toMatchObject({ name: "validate-grants" });
    expect(workflow.jobs["validate-grants"]!.if).toBeUndefined();
  });

  it("passes values to scripts through env:, never spliced into a run: script (here and in the template)", () => {
    const template = readWorkflow(join(ROOT, "grants-repo/.github/workflows/validate-grants.yml"));
    for (const wf of [workflow, template]) {
      for (const job of Object.values(wf.jobs)) for (const s of job.steps) expect(s.run ?? "", s.name).not.toMatch(/\$\{\{/);
    }
  });

  it("runs the same steps as the grants-repo/ template, with the action from this checkout", () => {
    const template = readWorkflow(join(ROOT, "grants-repo/.github/workflows/validate-grants.yml"));
    for (const job of ["validate-grants", "access-diff"]) {
      const ours = workflow.jobs[job]!.steps;
      const theirs = template.jobs[job]!.steps;
      expect(ours.map((s) => s.name ?? s.uses?.replace(/^.*\/grantbot@.*$/, "grantbot"))).toEqual(theirs.map((s) => s.name ?? s.uses?.replace(/^.*\/grantbot@.*$/, "grantbot")));
      expect(ours.filter((s) => s.uses?.includes("grantbot")).map((s) => s.uses)).toEqual(theirs.filter((s) => s.uses?.includes("grantbot")).map(() => "./.github/actions/grantbot"));
      expect(ours.filter((s) => s.uses?.includes("grantbot")).map((s) => s.with)).toEqual(theirs.filter((s) => s.uses?.includes("grantbot")).map((s) => s.with));
    }
  });
});

describe("the grantbot composite action", () => {
  const dir = join(ROOT, ".github/actions/grantbot");
  const action = actionSchema.parse(parse(readFileSync(join(dir, "action.yml"), "utf8")));

  it("takes command, args and node-version, and every script it runs is in its folder", () => {
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(["command", "args", "node-version"]));
    expect(action.inputs.command!.required).toBe(true);
    const scripts = action.runs.steps.flatMap((s) => [...(s.run ?? "").matchAll(/\$GITHUB_ACTION_PATH\/([\w.-]+)/g)].map((m) => m[1]!));
    expect(scripts.sort()).toEqual(["install.sh", "locate.sh", "pr-comment.mjs", "run.sh"]);
    for (const script of scripts) expect(existsSync(join(dir, script)), script).toBe(true);
  });

  it("passes inputs to scripts through the environment, never spliced into a script", () => {
    for (const s of action.runs.steps) expect(s.run ?? "", s.name).not.toMatch(/\$\{\{/);
  });
});
