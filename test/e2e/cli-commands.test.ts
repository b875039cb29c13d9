import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { activeGrant } from "./flows.ts";
import { Stack } from "./stack.ts";

function captureIO(env: Record<string, string>): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd: process.cwd(), env };
}

describe("grantbot CLI against a running grantbot", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lists grants and revokes one: membership removed and verified, credential inactive", async () => {
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-7 cli revoke");
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential");

    const list = captureIO(stack.env);
    expect(await main(["grants", "--active"], list)).toBe(0);
    expect(list.out.join("")).toContain(grant.id);

    const revoke = captureIO(stack.env);
    expect(await main(["revoke", grant.id], revoke)).toBe(0);
    expect(revoke.out.join("")).toMatch(/revoked: credential inactive, SCIM membership removed and verified/);
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    expect((await stack.introspect(token)).body).toEqual({ active: false });
    expect((await stack.grant(grant.id)).state).toBe("revoked");

    const again = captureIO(stack.env);
    expect(await main(["revoke", grant.id], again)).toBe(0);
    expect(again.out.join("")).toMatch(/is revoked; nothing to revoke/);
  });

  it("says why a grant id is refused (malformed, or no such grant) and names an unknown command", async () => {
    const bad = captureIO(stack.env);
    expect(await main(["revoke", "../etc"], bad)).toBe(1);
    expect(bad.err.join("")).toMatch(/"\.\.\/etc" is not a grant id: grant ids are ULIDs of 26 characters/);
    expect(bad.err.join("")).toMatch(/usage: grantbot revoke <grant-id>/);
    const missing = captureIO(stack.env);
    expect(await main(["revoke", "01JD2S3K7Q8R9T0V1W2X3Y4Z9Z"], missing)).toBe(1);
    expect(missing.err.join("")).toMatch(/^grantbot revoke: no grant 01JD2S3K7Q8R9T0V1W2X3Y4Z9Z in the database of GRANTBOT_DATA_DIR=.*; `grantbot grants` lists the known grants\n$/);
    const unknown = captureIO(stack.env);
    expect(await main(["frobnicate"], unknown)).toBe(1);
    expect(unknown.err.join("")).toMatch(/unknown command "frobnicate"/);
  });

  it("verifies and exports the audit log without secrets", async () => {
    const verify = captureIO(stack.env);
    expect(await main(["audit", "verify"], verify)).toBe(0);
    const exported = captureIO(stack.env);
    expect(await main(["audit", "export"], exported)).toBe(0);
    const text = exported.out.join("");
    expect(text.split("\n").filter(Boolean).length).toBeGreaterThan(3);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.|xoxb-|ghp_/);
  });
});
