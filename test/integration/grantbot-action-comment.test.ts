/**
 * The grantbot action's pr-comment.mjs (the step that keeps ONE pull-request comment with a
 * command's output) against a local stand-in for GitHub's issue-comment API.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeIssueComments } from "./fake-issue-comments.ts";

const SCRIPT = fileURLToPath(new URL("../../.github/actions/grantbot/pr-comment.mjs", import.meta.url));
const run = promisify(execFile);

interface PrComment {
  MAX_BODY: number;
  commentBody(output: string, command: string): string;
  upsertComment(options: { api: string; repository: string; pr: number; token: string; body: string; mode: "true" | "update" }): Promise<string>;
}

let github: FakeIssueComments;
let mod: PrComment;
let tmp: string;
beforeAll(async () => {
  github = await FakeIssueComments.start();
  const url = pathToFileURL(SCRIPT).href;
  mod = (await import(url)) as PrComment;
  tmp = mkdtempSync(join(tmpdir(), "grantbot-comment-"));
});
afterAll(async () => {
  await github?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const upsert = (pr: number, body: string, mode: "true" | "update" = "true") =>
  mod.upsertComment({ api: github.url, repository: "acme/grants", pr, token: "fake-workflow-token", body, mode });

describe("commentBody", () => {
  it("keeps an output that starts with its own marker, and puts one first otherwise", () => {
    expect(mod.commentBody("<!-- grantbot-diff -->\n### diff\n", "diff")).toBe("<!-- grantbot-diff -->\n### diff\n");
    expect(mod.commentBody("grants OK\n", "validate")).toBe("<!-- grantbot-validate -->\ngrants OK\n");
  });

  it("cuts an output longer than a GitHub comment may be, and says where the rest is", () => {
    const body = mod.commentBody(`<!-- grantbot-diff -->\n${"x".repeat(70_000)}`, "diff");
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/cut at 65000 characters; the whole output is in the job summary/);
  });
});

describe("upsertComment", () => {
  it("finds its comment past the first page of comments and edits it", async () => {
    for (let i = 0; i < 120; i += 1) github.addHumanComment(40, `comment ${i}`);
    expect(await upsert(40, "<!-- grantbot-diff -->\nfirst\n")).toBe("created");
    for (let i = 0; i < 90; i += 1) github.addHumanComment(40, `later ${i}`);
    expect(await upsert(40, "<!-- grantbot-diff -->\nsecond\n")).toBe("updated");
    expect(github.botComments(40)).toEqual(["<!-- grantbot-diff -->\nsecond\n"]);
  });

  it("leaves a comment with another marker alone, and creates nothing in update mode", async () => {
    expect(await upsert(41, "<!-- grantbot-validate -->\nok\n")).toBe("created");
    expect(await upsert(41, "<!-- grantbot-diff -->\nno change\n", "update")).toBe("none");
    expect(await upsert(41, "<!-- grantbot-diff -->\nchange\n")).toBe("created");
    expect(github.botComments(41)).toEqual(["<!-- grantbot-validate -->\nok\n", "<!-- grantbot-diff -->\nchange\n"]);
  });
});

describe("pr-comment.mjs as the action runs it", () => {
  function env(pr: number | undefined, extra: Record<string, string> = {}) {
    const event = join(tmp, `event-${pr}.json`);
    writeFileSync(event, JSON.stringify(pr === undefined ? {} : { pull_request: { number: pr } }));
    const output = join(tmp, "output.md");
    writeFileSync(output, "<!-- grantbot-diff -->\nNo change to who can access what.\n");
    return { PATH: process.env.PATH ?? "", GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "acme/grants", GITHUB_EVENT_PATH: event, GRANTBOT_OUTPUT_FILE: output, GRANTBOT_COMMENT_MODE: "true", GRANTBOT_COMMAND: "diff", GRANTBOT_GITHUB_TOKEN: "fake-workflow-token", ...extra };
  }

  it("comments on the pull request of the event", async () => {
    const done = await run("node", [SCRIPT], { env: env(50) });
    expect(done.stdout).toBe("pull request #50: comment created\n");
    expect(github.botComments(50)).toEqual(["<!-- grantbot-diff -->\nNo change to who can access what.\n"]);
  });

  it("does nothing outside a pull request", async () => {
    expect((await run("node", [SCRIPT], { env: env(undefined) })).stdout).toBe("not a pull_request event: no comment\n");
  });

  it("warns, without failing the job, when the token may not write (a pull request from a fork)", async () => {
    github.readOnly = true;
    try {
      const done = await run("node", [SCRIPT], { env: env(51) });
      expect(done.stdout).toMatch(/^::warning::grantbot action: the token may not comment on #51 \(POST .* HTTP 403 .*\); the output is in the job summary\n$/);
    } finally {
      github.readOnly = false;
    }
  });

  it("fails the step on any other error, and on a pr-comment value it does not know", async () => {
    const failed = await run("node", [SCRIPT], { env: env(52, { GRANTBOT_GITHUB_TOKEN: "wrong" }) }).catch((e: { code: number; stdout: string }) => e);
    expect(failed).toMatchObject({ code: 1, stdout: expect.stringMatching(/^::error::grantbot action: commenting on #52 failed: GET .* HTTP 401/) });
    const bad = await run("node", [SCRIPT], { env: env(52, { GRANTBOT_COMMENT_MODE: "yes" }) }).catch((e: { code: number; stdout: string }) => e);
    expect(bad).toMatchObject({ code: 2, stdout: '::error::grantbot action: pr-comment must be true, update or false (got "yes")\n' });
  });
});
