import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { handleIntrospection } from "../../src/adapters/credentials/introspection-http.ts";
import { JoseCredentialSigner } from "../../src/adapters/credentials/jose-credential-signer.ts";
import { loadOrCreateSigningKeys } from "../../src/adapters/credentials/key-store.ts";
import { Secret } from "../../src/config/secret.ts";
import { introspectCredential } from "../../src/services/credentials/introspect-credential.ts";
import { InMemoryCredentialStore, InMemoryGrantStore, makeGrant } from "../fakes/in-memory-stores.ts";

const ISSUER = "https://grantbot.example.com";
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const HOUR = 60 * 60 * 1000;
const INTROSPECTION_TOKEN = "rs-introspection-token-0123456789";
const GRANT_ID = "01JD2S3K7Q8R9T0V1W2X3Y4Z5A";
const JTI = "01JD2S3K7Q8R9T0V1W2X3Y4Z5B";

const dir = await mkdtemp(join(tmpdir(), "grantbot-introspect-"));
const keys = await loadOrCreateSigningKeys(dir, { now: T0 });
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let now: number;
let deps: {
  signer: JoseCredentialSigner;
  credentials: InMemoryCredentialStore;
  grants: InMemoryGrantStore;
  clock: { now(): number };
};
let token: string;

/** An active 2-hour grant with one issued credential, as activate-grant leaves it. */
beforeEach(async () => {
  now = T0;
  const clock = { now: () => now };
  deps = {
    signer: new JoseCredentialSigner({ keys, issuer: ISSUER, clock }),
    credentials: new InMemoryCredentialStore(),
    grants: new InMemoryGrantStore(clock),
    clock,
  };
  const expiresAt = T0 + 2 * HOUR;
  await deps.grants.insert(makeGrant({ id: GRANT_ID, state: "active", activatedAt: T0, expiresAt }));
  const claims = { subject: "alice@example.com", audience: "prod-db", scope: "db:read", grantId: GRANT_ID, jti: JTI, issuedAt: T0, expiresAt };
  const signed = await deps.signer.sign(claims);
  token = signed.token;
  await deps.credentials.insert({ ...claims, kid: signed.kid, revokedAt: null });
});

describe("introspectCredential", () => {
  it("reports an issued credential of a live grant as active with its claims", async () => {
    now = T0 + HOUR;
    const iat = T0 / 1000;
    expect(await introspectCredential(deps, token)).toEqual({
      active: true,
      iss: ISSUER,
      sub: "alice@example.com",
      aud: "prod-db",
      scope: "db:read",
      grant_id: GRANT_ID,
      jti: JTI,
      iat,
      nbf: iat,
      exp: iat + 2 * 3600,
      token_type: "Bearer",
    });
  });

  it.each([
    ["the grant's expiry has passed", () => void (now = T0 + 2 * HOUR)],
    ["the credential was revoked", () => void deps.credentials.revokeForGrant(GRANT_ID, T0 + 1)],
    ["the jti was never recorded", () => void (deps.credentials = new InMemoryCredentialStore())],
    ["the grant was released early", () => void deps.grants.update(GRANT_ID, ["active"], { state: "released" })],
    ["the grant was revoked (leaver)", () => void deps.grants.update(GRANT_ID, ["active"], { state: "revoked" })],
    ["the grant's expiry was moved before now", () => void deps.grants.update(GRANT_ID, ["active"], { expiresAt: T0 + 10 })],
    ["the grant no longer exists", () => void (deps.grants = new InMemoryGrantStore())],
  ])("answers only { active: false } when %s", async (_name, change) => {
    change();
    now = Math.max(now, T0 + 1000);
    expect(await introspectCredential(deps, token)).toEqual({ active: false });
  });

  it("answers only { active: false } for a token whose signature does not verify", async () => {
    const [h, p] = token.split(".");
    const forged = `${h}.${p}.${"A".repeat(86)}`;
    expect(await introspectCredential(deps, forged)).toEqual({ active: false });
    expect(await introspectCredential(deps, "garbage")).toEqual({ active: false });
  });

  it("answers { active: false } for a valid signature whose jti belongs to another grant", async () => {
    const other = await deps.signer.sign({
      subject: "alice@example.com", audience: "prod-db", scope: "db:read", grantId: "another-grant", jti: JTI,
      issuedAt: T0, expiresAt: T0 + HOUR,
    });
    expect(await introspectCredential(deps, other.token)).toEqual({ active: false });
  });

  it("is a service: imports only ports and domain, never jose or an adapter", async () => {
    const source = await readFile(new URL("../../src/services/credentials/introspect-credential.ts", import.meta.url), "utf8");
    const imports = [...source.matchAll(/^import\b[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => i !== "../ports/index.ts" && !i.startsWith("../../domain/"))).toEqual([]);
  });
});

describe("handleIntrospection", () => {
  const call = (authorization: string | undefined, body: string, contentType = "application/x-www-form-urlencoded") =>
    handleIntrospection({ authorization, contentType, body }, { ...deps, introspectionToken: new Secret(INTROSPECTION_TOKEN) });

  it("answers 200 with the introspection result for a form-encoded RFC 7662 request", async () => {
    const res = await call(`Bearer ${INTROSPECTION_TOKEN}`, `token=${token}&token_type_hint=access_token`);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toMatchObject({ active: true, jti: JTI });
  });

  it("accepts a JSON body with a token field", async () => {
    const res = await call(`Bearer ${INTROSPECTION_TOKEN}`, JSON.stringify({ token }), "application/json; charset=utf-8");
    expect(res.body).toMatchObject({ active: true });
  });

  it("answers 200 { active: false } once the grant has ended", async () => {
    now = T0 + 2 * HOUR;
    const res = await call(`Bearer ${INTROSPECTION_TOKEN}`, `token=${encodeURIComponent(token)}`);
    expect(res).toMatchObject({ status: 200, body: { active: false } });
    expect(Object.keys(res.body)).toEqual(["active"]);
  });

  it.each([
    ["no Authorization header", undefined],
    ["a wrong bearer token", "Bearer not-the-token"],
    ["a bearer token that is a prefix of the right one", `Bearer ${INTROSPECTION_TOKEN.slice(0, 10)}`],
    ["Basic authentication", `Basic ${Buffer.from(`x:${INTROSPECTION_TOKEN}`).toString("base64")}`],
    ["an empty bearer", "Bearer "],
  ])("answers 401 with WWW-Authenticate: Bearer for %s", async (_name, authorization) => {
    const res = await call(authorization, `token=${token}`);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer\b/);
    expect(res.body).not.toHaveProperty("active");
  });

  it("refuses every request when no introspection token is configured", async () => {
    const res = await handleIntrospection(
      { authorization: "Bearer ", contentType: "application/x-www-form-urlencoded", body: `token=${token}` },
      { ...deps, introspectionToken: "" },
    );
    expect(res.status).toBe(401);
  });

  it.each([
    ["an empty body", "", undefined],
    ["a form without token", "token_type_hint=access_token", undefined],
    ["an empty token", "token=", undefined],
    ["a repeated token parameter", `token=${token}&token=${token}`, undefined],
    ["JSON without token", "{}", "application/json"],
    ["malformed JSON", "{", "application/json"],
    ["an unsupported media type", `token=${token}`, "text/plain"],
  ])("answers 400 invalid_request for %s", async (_name, body, contentType) => {
    const res = await call(`Bearer ${INTROSPECTION_TOKEN}`, body, contentType);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_request" });
  });
});
