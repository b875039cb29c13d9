/**
 * Secrets never leave grantbot (CONVENTIONS.md §5): a full lifecycle at LOG_LEVEL=trace — request,
 * PR, merge, SCIM add, credential DM, introspection, expiry, plus a few failures that put tokens
 * near error paths (bad signatures, a SCIM 401, a GitHub 502) — with every log line captured; no
 * token, JWT, private key or webhook secret may appear in it. The signing key file is created
 * with mode 0600, and `grantbot audit export` contains no secret either.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/shared/logger.ts";
import { main as cli } from "../../src/cli.ts";
import { GITHUB_TOKEN, INTROSPECTION_TOKEN, SIGNING_SECRET, Stack, WEBHOOK_SECRET } from "../e2e/stack.ts";
import { activeGrant } from "../e2e/flows.ts";

const JWT_RE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;

describe("secrets in logs, key files and the audit export", () => {
  let stack: Stack;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  let token = "";

  beforeAll(async () => {
    stack = await Stack.start({ env: { LOG_LEVEL: "trace" }, grantbot: { log: createLogger({ level: "trace", destination: sink }) } });
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 3s INC-990 secrets test");
    token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");
    expect((await stack.introspect(token)).body.active).toBe(true);
    await stack.introspect(token, "a-wrong-introspection-token"); // 401
    await stack.deliver("pull_request", { action: "closed" }, { secret: "a-wrong-webhook-secret" }); // 401
    await stack.postSlack("command=%2Faccess&text=help", { secret: "a-wrong-signing-secret" }); // 401
    // Failures on the way out, whose errors pass near Authorization headers.
    stack.scim.get("aws")!.failWith({ status: 401, detail: `token ${stack.env.SCIM_TOKEN_AWS} rejected`, times: 2, match: (m) => m === "PATCH" });
    stack.github.failNext(1, 502);
    await stack.waitForGrant(grant.id, ["expired"], 10_000);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes(alice.email), 20_000, "the removal after the SCIM 401s");
    await stack.settle(20_000);
    expect((await stack.introspect(token)).body).toEqual({ active: false });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  function secrets(): Record<string, string> {
    const keys = JSON.parse(readFileSync(join(stack.env.GRANTBOT_DATA_DIR!, "signing-keys.json"), "utf8")) as { keys: { privateJwk: { d: string } }[] };
    return {
      "Slack bot token": stack.env.SLACK_BOT_TOKEN!,
      "Slack signing secret": SIGNING_SECRET,
      "GitHub token": GITHUB_TOKEN,
      "GitHub webhook secret": WEBHOOK_SECRET,
      "introspection token": INTROSPECTION_TOKEN,
      "SCIM token (aws)": stack.env.SCIM_TOKEN_AWS!,
      "SCIM token (snowflake)": stack.env.SCIM_TOKEN_SNOWFLAKE!,
      "the credential JWT": token,
      "the JWT signature": token.split(".")[2]!,
      ...Object.fromEntries(keys.keys.map((k, i) => [`signing private key ${i}`, k.privateJwk.d])),
    };
  }

  it("logs plenty at trace level, and none of it is a secret", () => {
    expect(lines.length).toBeGreaterThan(50);
    const text = lines.join("\n");
    expect(text).toMatch(/"level":20/); // debug lines (grantbot has nothing below debug) were written
    const leaked = Object.entries(secrets()).filter(([, value]) => value.length >= 8 && text.includes(value)).map(([name]) => name);
    expect(leaked).toEqual([]);
    expect(text).not.toMatch(JWT_RE);
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    expect(text).not.toMatch(/\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]{6,}/);
    expect(text).not.toMatch(/authorization"?\s*:\s*"?(?:Bearer|token)\s+[A-Za-z0-9._~+/=-]{8,}/i);
  });

  it("creates the signing key file with mode 0600 and the data directory with 0700", () => {
    const dir = stack.env.GRANTBOT_DATA_DIR!;
    expect(statSync(join(dir, "signing-keys.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "grantbot.db")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o077).toBe(0);
  });

  it("writes an audit export without any secret in it", async () => {
    let out = "";
    let err = "";
    const code = await cli(["audit", "export"], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: process.cwd(), env: { GRANTBOT_DATA_DIR: stack.env.GRANTBOT_DATA_DIR } });
    expect(code, err).toBe(0);
    const rows = out.trim().split("\n");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.some((r) => r.includes("grant.activated"))).toBe(true);
    const leaked = Object.entries(secrets()).filter(([, value]) => value.length >= 8 && out.includes(value)).map(([name]) => name);
    expect(leaked).toEqual([]);
    expect(out).not.toMatch(JWT_RE);
  });
});
