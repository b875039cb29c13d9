/**
 * The start-up/readiness probes (adapters/lifecycle/probes.ts) against a local server answering
 * what Slack, GitHub or a SCIM provider would: a refused credential is told apart from an outage.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { githubProbe, PROBE_GROUP, scimProbe, slackProbe } from "../../src/adapters/lifecycle/probes.ts";
import { ScimGroupDirectory } from "../../src/adapters/scim/scim-group-directory.ts";

let next: { status: number; body: unknown; headers?: Record<string, string> } = { status: 200, body: {} };
const seen: string[] = [];
let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(next.status, { "content-type": "application/json", ...next.headers }).end(JSON.stringify(next.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("Slack probe (auth.test)", () => {
  const probe = () => slackProbe({ token: "xoxb-probe-token-0123", apiUrl: `${base}/api/`, timeoutMs: 2_000 })();

  it("yields the bot's ids when the token works", async () => {
    next = { status: 200, body: { ok: true, user_id: "U0BOT", bot_id: "B0BOT" } };
    expect(await probe()).toEqual({ state: { kind: "ok" }, slackIds: { botId: "B0BOT", botUserId: "U0BOT" } });
  });

  it.each(["invalid_auth", "not_authed", "account_inactive", "token_revoked"])("counts %s as SLACK_BOT_TOKEN refused", async (error) => {
    next = { status: 200, body: { ok: false, error } };
    const outcome = await probe();
    expect(outcome.state).toMatchObject({ kind: "rejected", reason: error, message: expect.stringMatching(new RegExp(`^SLACK_BOT_TOKEN was rejected by Slack \\(${error}\\)`)) });
  });

  it("counts another error or a 5xx as down, not refused", async () => {
    next = { status: 200, body: { ok: false, error: "fatal_error" } };
    expect((await probe()).state).toEqual({ kind: "down", reason: "auth.test answered fatal_error" });
    next = { status: 503, body: {} };
    expect((await probe()).state).toMatchObject({ kind: "down" });
  });
});

describe("GitHub probe (the base branch of GITHUB_REPOSITORY)", () => {
  const probe = (auth: "token" | "app" = "token") =>
    githubProbe({ octokit: createOctokit({ baseUrl: base, auth: { kind: "token", token: "ghp_probe" } }), repository: "acme/grants", baseBranch: "main", auth, timeoutMs: 2_000 })();

  it("reads the base branch", async () => {
    next = { status: 200, body: { name: "main" } };
    expect((await probe()).state).toEqual({ kind: "ok" });
    expect(seen.at(-1)).toBe("GET /repos/acme/grants/branches/main");
  });

  it("names the App's variables when GitHub answers 401 under App auth", async () => {
    next = { status: 401, body: { message: "Bad credentials" } };
    expect((await probe("app")).state).toMatchObject({ kind: "rejected", message: expect.stringMatching(/^GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID were rejected by GitHub \(401 Bad credentials\)/) });
  });

  it("names GITHUB_REPOSITORY when the token cannot see it (404), and counts a rate limit or 5xx as down", async () => {
    next = { status: 404, body: { message: "Not Found" } };
    expect((await probe()).state).toMatchObject({ kind: "rejected", message: "GITHUB_REPOSITORY acme/grants (branch GITHUB_BASE_BRANCH main) was not found with GITHUB_TOKEN (404): check both names, and that GITHUB_TOKEN has access to the repository" });
    next = { status: 403, body: { message: "API rate limit exceeded" }, headers: { "x-ratelimit-remaining": "0" } };
    expect((await probe()).state).toEqual({ kind: "down", reason: "rate limited" });
    next = { status: 502, body: { message: "Bad Gateway" } };
    expect((await probe()).state).toEqual({ kind: "down", reason: "HTTP 502 Bad Gateway" });
  });
});

describe("SCIM probe (a group lookup)", () => {
  const directory = () => new ScimGroupDirectory({ name: "aws", baseUrl: `${base}/scim/v2`, token: "scim-probe-token", profile: "generic", timeoutMs: 2_000 });
  const probe = () => {
    const target = directory();
    return scimProbe({ target: "aws", findGroup: (g) => target.findGroup(g), timeoutMs: 2_000 })();
  };

  it("looks up a group no one has; not found is fine", async () => {
    next = { status: 200, body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 0, Resources: [] } };
    expect((await probe()).state).toEqual({ kind: "ok" });
    expect(decodeURIComponent(seen.at(-1)!)).toContain(`displayName eq "${PROBE_GROUP}"`);
  });

  it("counts 401 and 403 as the target's token refused, a 5xx as down", async () => {
    for (const status of [401, 403]) {
      next = { status, body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(status), detail: "no" } };
      expect((await probe()).state).toMatchObject({ kind: "rejected", message: `SCIM target aws rejected grantbot's token (${status}): check the token of target aws in GRANTBOT_CONFIG (scim.targets[].token)` });
    }
    next = { status: 500, body: {} };
    expect((await probe()).state).toMatchObject({ kind: "down" });
  });
});
