/**
 * The in-process e2e stack (test/e2e/stack.ts) with every store on PostgreSQL: the lifecycle of
 * test/e2e/lifecycle.test.ts (request -> PR -> merge -> active -> expiry -> removed), a release by
 * slash command, and a self-approval refused — the same flows (test/e2e/flows.ts) as on SQLite.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { describeWithPostgres } from "../support/postgres.ts";
import { Stack } from "../e2e/stack.ts";
import { activeGrant, ephemeralReplies, fileRequest, waitForComment } from "../e2e/flows.ts";

describeWithPostgres("the e2e stack on PostgreSQL", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ database: "postgres" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps its state in PostgreSQL, not in the SQLite data directory", () => {
    expect(stack.env.GRANTBOT_DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    expect(stack.grantbot.store.kind).toBe("postgres");
  });

  it("requests by slash command, opens a PR, activates on an approved merge and removes access at expiry", async () => {
    const alice = stack.person("alice");
    const filed = await fileRequest(stack, alice.slack, "prod-db-readonly 3s INC-1 check replica lag");
    const grant = await stack.grant(filed.grantId);
    expect(stack.github.fileAt(`grant/${grant.id}`, grant.filePath)).toBe(grant.fileContent);

    stack.approve(filed.pr, "carol-gh");
    expect((await stack.merge(filed.pr, "carol-gh")).status).toBe(202);
    const active = await stack.waitForGrant(grant.id, ["active"]);
    expect(stack.members("aws", "prod-db-readonly")).toContain("alice@example.com");

    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");
    const jwks = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: "http://grantbot.test", audience: "prod-db" });
    expect(payload).toMatchObject({ sub: "alice@example.com", scope: "db:read", grant_id: grant.id });
    expect(payload.exp).toBe(Math.floor(active.expiresAt! / 1000));
    expect((await stack.introspect(token)).body.active).toBe(true);

    await stack.waitForGrant(grant.id, ["expired"], 10_000);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes("alice@example.com"), 10_000, "membership removed");
    expect((await stack.introspect(token)).body).toEqual({ active: false });
    await stack.waitFor(async () => (await stack.credentialToken(grant.id)) === null, 10_000, "credential DM redacted");
    await stack.settle();
    expect(stack.github.comments(filed.pr).join("\n")).toMatch(/Active until[\s\S]*Expired/);
    expect(stack.github.validationErrors()).toEqual([]);
  });

  it("releases a grant at once by slash command: membership removed, credential inactive", async () => {
    const bob = stack.person("bob");
    const grant = await activeGrant(stack, bob.slack, "prod-db-readonly 1h INC-2 release early");
    const token = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential DM");
    expect((await stack.introspect(token)).body.active).toBe(true);

    const released = await ephemeralReplies(stack, bob.slack, `release ${grant.id}`);
    expect(released.status).toBe(200);
    await stack.waitForGrant(grant.id, ["released"], 10_000);
    await stack.waitFor(() => !stack.members("aws", "prod-db-readonly").includes(bob.email), 10_000, "membership removed");
    expect((await stack.introspect(token)).body).toEqual({ active: false });
  });

  it("does not activate a grant the requester approved themselves", async () => {
    const carol = stack.person("carol"); // carol-gh approves prod-db-readonly, but not her own request
    const filed = await fileRequest(stack, carol.slack, "prod-db-readonly 1h INC-3 self approval");
    stack.approve(filed.pr, "carol-gh");
    expect((await stack.merge(filed.pr, "carol-gh")).status).toBe(202);
    const grant = await stack.waitForGrant(filed.grantId, ["rejected", "active"], 10_000);
    expect(grant.state).toBe("rejected");
    expect(grant.access).toBeNull();
    expect(await waitForComment(stack, filed.pr, /Not activated/)).toBeTruthy();
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(carol.email);
  });

  it("keeps one verifiable audit chain in PostgreSQL", async () => {
    await stack.settle();
    const verified = await stack.grantbot.deps.audit.verify();
    expect(verified).toMatchObject({ ok: true });
  });
});
