import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { Stack } from "./stack.ts";

describe("grant lifecycle end to end", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("requests by slash command, opens a PR, activates on an approved merge and removes access at expiry", async () => {
    const alice = stack.person("alice");
    const ack = await stack.slash("prod-db-readonly 3s INC-1 check replica lag", alice.slack);
    expect(ack.status).toBe(200);
    const replies = await stack.replies(ack.responseId, ack.text);
    expect(replies.join("\n")).toMatch(/Request `[0-9A-Z]{26}` filed/);
    const grant = (await stack.latestGrant())!;
    const pr = await stack.waitForPr(grant.id);
    expect(stack.github.fileAt(`grant/${grant.id}`, grant.filePath)).toBe(grant.fileContent);

    stack.approve(pr, "carol-gh");
    const merged = await stack.merge(pr, "carol-gh");
    expect(merged.status).toBe(202);
    const active = await stack.waitForGrant(grant.id, ["active"]);
    expect(stack.members("aws", "prod-db-readonly")).toContain("alice@example.com");

    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");
    const jwks = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: "http://grantbot.test", audience: "prod-db" });
    expect(payload).toMatchObject({ sub: "alice@example.com", scope: "db:read", grant_id: grant.id });
    expect(payload.exp).toBe(Math.floor(active.expiresAt! / 1000));
    expect((await stack.introspect(token)).body.active).toBe(true);

    await stack.waitForGrant(grant.id, ["expired"], 6000);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes("alice@example.com"), 5000, "membership removed");
    expect((await stack.introspect(token)).body).toEqual({ active: false });
    await stack.waitFor(async () => await stack.credentialToken(grant.id) === null, 5000, "credential DM redacted");
    await stack.settle();
    expect(stack.github.comments(pr).join("\n")).toMatch(/Active until[\s\S]*Expired/);
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
