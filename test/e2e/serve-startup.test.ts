/**
 * `grantbot serve` start-up in a child process: a credential the remote refuses stops it with one
 * plain message naming the variable (exit 1, no stack trace); two `serve` on one data directory
 * are refused, read-only commands still run next to one, and a `kill -9` leaves no stale lock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { World } from "../crash/world.ts";
import { answeringServer, GrantbotProcess } from "./serve-process.ts";

let world: World;
beforeAll(async () => {
  world = await World.start();
});
afterAll(async () => {
  await world?.close();
});

async function refusal(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const serve = GrantbotProcess.start(["serve"], { ...world.env, ...env });
  const exit = await serve.exited;
  return { code: exit.code, stderr: serve.stderr };
}

function expectOnePlainLine(stderr: string): void {
  expect(stderr.endsWith("\n")).toBe(true);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
}

describe("grantbot serve start-up checks", () => {
  it("refuses to start when Slack rejects SLACK_BOT_TOKEN (invalid_auth)", async () => {
    const { code, stderr } = await refusal({ SLACK_BOT_TOKEN: "xoxb-not-the-installed-token-0123" });
    expect(code).toBe(1);
    expect(stderr).toBe("grantbot cannot start: SLACK_BOT_TOKEN was rejected by Slack (invalid_auth): check the xoxb- token of the installed app (OAuth & Permissions → Bot User OAuth Token)\n");
    expectOnePlainLine(stderr);
  }, 60_000);

  it("refuses to start when GitHub answers 401, naming GITHUB_TOKEN", async () => {
    const github = await answeringServer(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    try {
      const { code, stderr } = await refusal({ GITHUB_API_URL: github.url });
      expect(code).toBe(1);
      expect(stderr).toBe("grantbot cannot start: GITHUB_TOKEN was rejected by GitHub (401 Bad credentials): check that the token is current\n");
      expectOnePlainLine(stderr);
    } finally {
      await github.close();
    }
  }, 60_000);

  it("refuses to start when a SCIM target answers 401, naming the target", async () => {
    const { code, stderr } = await refusal({ SCIM_TOKEN_OKTA: "not-the-okta-token-0123456789" });
    expect(code).toBe(1);
    expect(stderr).toBe("grantbot cannot start: SCIM target okta rejected grantbot's token (401): check the token of target okta in GRANTBOT_CONFIG (scim.targets[].token)\n");
    expectOnePlainLine(stderr);
  }, 60_000);

  it("lists every refused credential in the one message", async () => {
    const { code, stderr } = await refusal({ SLACK_BOT_TOKEN: "xoxb-not-the-installed-token-0123", SCIM_TOKEN_AWS: "not-the-aws-token-0123456789" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^grantbot cannot start:\n- SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\): .*\n- SCIM target aws rejected grantbot's token \(401\): .*\n$/);
  }, 60_000);
});

function captureIO(env: Record<string, string>): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd: process.cwd(), env };
}

describe("one grantbot serve per SQLite data directory", () => {
  it("refuses a second serve on the same data directory, lets read-only commands run next to the first, and starts again after kill -9", async () => {
    const first = GrantbotProcess.start(["serve"], world.env);
    try {
      await first.listening();

      const second = GrantbotProcess.start(["serve"], world.env);
      expect((await second.exited).code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^another grantbot \\(pid ${first.pid}, started at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\) is using the data directory ${world.dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; run one instance per data directory \\(GRANTBOT_DATA_DIR\\), and stop the other one first\\n$`));
      expectOnePlainLine(second.stderr);

      const grants = captureIO(world.env);
      expect(await main(["grants", "--json"], grants)).toBe(0);
      const verify = captureIO(world.env);
      expect(await main(["audit", "verify"], verify)).toBe(0);
    } finally {
      first.kill("SIGKILL");
      await first.exited;
    }

    // The OS dropped the dead process's lock: nothing stale blocks the next start.
    const third = GrantbotProcess.start(["serve"], world.env);
    await third.listening();
    third.kill("SIGTERM");
    expect(await third.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});
