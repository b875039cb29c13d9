/**
 * One-shot commands in a child process (bin/grantbot.js) against a Slack, a GitHub and SCIM targets
 * that accept connections and never answer: each ends with a clear error instead of waiting
 * forever (the grant was made active first, against the usual fakes).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { databasePath } from "../../src/adapters/sqlite/open-store.ts";
import type { Grant } from "../../src/domain/grant.ts";
import { activeGrant } from "./flows.ts";
import { GrantbotProcess, SilentServer } from "./serve-process.ts";
import { Stack } from "./stack.ts";

describe("one-shot commands when Slack, GitHub and SCIM never answer", () => {
  let stack: Stack;
  let silent: SilentServer;
  let grant: Grant;
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await Stack.start();
    grant = await activeGrant(stack, stack.person("alice").slack, "prod-db-readonly 1h INC-11 remote systems hang");
    await stack.grantbot.stop();
    silent = await SilentServer.start();
    const configPath = join(stack.dataDir, "unanswered.yaml");
    writeFileSync(configPath, readFileSync(stack.env.GRANTBOT_CONFIG!, "utf8").replace(/url: http:\/\/127\.0\.0\.1:\d+/g, `url: ${silent.url}`));
    env = { ...stack.env, SLACK_API_URL: `${silent.url}/api/`, GITHUB_API_URL: silent.url, GRANTBOT_CONFIG: configPath };
  });
  afterAll(async () => {
    await silent?.close();
    await stack?.stop();
  });

  it("reconcile exits 1 naming GitHub, which did not answer the catalog read", async () => {
    const cli = GrantbotProcess.start(["reconcile", "--json"], env);
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toMatch(/^grantbot reconcile: GitHub .*(timeout|aborted)/im);
    expect(cli.stdout).toBe("");
  }, 60_000);

  it("revoke ends the grant, then exits 2 saying the SCIM removal was not verified within --timeout and why", async () => {
    // --timeout well above the SCIM timeout (2 s), so the first attempt has failed (and says why)
    // by then even on a loaded machine; if it has not, the message says so instead of guessing.
    const cli = GrantbotProcess.start(["revoke", grant.id, "--timeout", "10s"], env);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr).toMatch(
      new RegExp(`grantbot revoke: grant ${grant.id} is revoked \\(credential inactive\\), but its SCIM removal was not verified within 10s: (SCIM target aws: no answer within 2000 ms|the SCIM target has not answered yet)`),
    );
    expect(cli.stderr).toContain("grantbot serve keeps retrying it");

    const db = new Database(databasePath(stack.env.GRANTBOT_DATA_DIR!), { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare("SELECT state FROM grants WHERE id = ?").pluck().get(grant.id)).toBe("revoked");
      // The removal waits in the queue for serve (none left running with a lease).
      const removals = db.prepare("SELECT state, lease_until FROM jobs WHERE kind = 'scim_remove' AND grant_id = ?").all(grant.id);
      expect(removals.length).toBeGreaterThan(0);
      expect(removals).toEqual(removals.map(() => ({ state: "queued", lease_until: null })));
    } finally {
      db.close();
    }
  }, 60_000);
});
