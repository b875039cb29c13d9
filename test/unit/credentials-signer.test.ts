import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JoseCredentialSigner } from "../../src/adapters/credentials/jose-credential-signer.ts";
import { loadOrCreateSigningKeys, type SigningKeys } from "../../src/adapters/credentials/key-store.ts";
import type { CredentialClaims } from "../../src/services/ports/index.ts";

const ISSUER = "https://grantbot.example.com";
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 250); // a time with milliseconds
const HOUR = 60 * 60 * 1000;
const claims: CredentialClaims = {
  subject: "alice@example.com",
  audience: "prod-db",
  scope: "db:read db:explain",
  grantId: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A",
  jti: "01JD2S3K7Q8R9T0V1W2X3Y4Z5B",
  issuedAt: T0,
  expiresAt: T0 + 2 * HOUR + 500, // grant expiry with milliseconds
};

let dir: string;
let keys: SigningKeys;
let now = T0;
const clock = { now: () => now };
const signerWith = (k: SigningKeys = keys, issuer = ISSUER) => new JoseCredentialSigner({ keys: k, issuer, clock });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "grantbot-signer-"));
  keys = await loadOrCreateSigningKeys(dir, { now: T0 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("JoseCredentialSigner", () => {
  it("issues a JWT a resource server verifies with the JWKS alone, with exactly the promised claims", async () => {
    const { token, kid } = await signerWith().sign(claims);
    const jwks = createLocalJWKSet(signerWith().jwks() as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: ISSUER,
      audience: "prod-db",
      currentDate: new Date(T0),
    });
    expect(protectedHeader).toEqual({ alg: "EdDSA", kid, typ: "JWT" });
    expect(kid).toBe(keys.current.kid);
    const iat = Math.floor(T0 / 1000);
    expect(payload).toEqual({
      iss: ISSUER,
      sub: "alice@example.com",
      aud: "prod-db",
      scope: "db:read db:explain",
      grant_id: claims.grantId,
      jti: claims.jti,
      iat,
      nbf: iat,
      exp: Math.floor(claims.expiresAt / 1000),
    });
  });

  it("signs deterministically for the same claims and key", async () => {
    expect((await signerWith().sign(claims)).token).toBe((await signerWith().sign(claims)).token);
  });

  it("publishes only public key members, with kid, alg and use", async () => {
    const es = await loadOrCreateSigningKeys(join(dir, "es"), { now: T0, alg: "ES256" });
    for (const signer of [signerWith(), signerWith(es)]) {
      const { keys: published } = signer.jwks();
      expect(published).toHaveLength(1);
      for (const jwk of published) {
        expect(jwk).not.toHaveProperty("d");
        expect(JSON.stringify(jwk)).not.toMatch(/"(d|p|q|dp|dq|qi|k)"/);
        expect(jwk).toMatchObject({ use: "sig", kid: expect.any(String), alg: expect.stringMatching(/^(EdDSA|ES256)$/) });
      }
    }
  });

  it("issues ES256 tokens when the key is ES256", async () => {
    const es = await loadOrCreateSigningKeys(join(dir, "es2"), { now: T0, alg: "ES256" });
    const { token } = await signerWith(es).sign(claims);
    expect(decodeProtectedHeader(token).alg).toBe("ES256");
    expect(await signerWith(es).verify(token)).toMatchObject({ jti: claims.jti });
  });

  it("verifies until the last whole second before the grant ends, and never after", async () => {
    const signer = signerWith();
    const { token } = await signer.sign(claims);
    const exp = Math.floor(claims.expiresAt / 1000) * 1000;
    now = exp - 1;
    expect(await signer.verify(token)).not.toBeNull();
    now = exp;
    expect(await signer.verify(token)).toBeNull();
    now = claims.expiresAt;
    expect(await signer.verify(token)).toBeNull();
    now = T0;
  });

  it("does not accept a token before its nbf", async () => {
    const { token } = await signerWith().sign(claims);
    now = Math.floor(T0 / 1000) * 1000 - 1;
    expect(await signerWith().verify(token)).toBeNull();
    now = T0;
  });

  it.each([
    ["an empty string", () => ""],
    ["garbage", () => "not.a.jwt"],
    ["a token with a flipped signature byte", (t: string) => {
      // Flip a whole byte of the decoded signature: editing base64url characters can touch only
      // the padding bits of the last one and leave the signature unchanged (a 1-in-256 flake).
      const [h, p, s] = t.split(".");
      const sig = Buffer.from(s!, "base64url");
      sig[10] = sig[10]! ^ 0xff;
      return `${h}.${p}.${sig.toString("base64url")}`;
    }],
    ["a token with an edited payload", (t: string) => {
      const [h, , s] = t.split(".");
      const body = Buffer.from(JSON.stringify({ sub: "mallory@example.com" })).toString("base64url");
      return `${h}.${body}.${s}`;
    }],
  ])("returns null (never throws) for %s", async (_name, mutate) => {
    const { token } = await signerWith().sign(claims);
    expect(await signerWith().verify(mutate(token))).toBeNull();
  });

  it("rejects a token from another issuer URL", async () => {
    const { token } = await signerWith(keys, "https://other.example.com").sign(claims);
    expect(await signerWith().verify(token)).toBeNull();
  });

  it("rejects a well-formed token signed by a key it does not publish, even with a known kid", async () => {
    const stranger = await generateKeyPair("EdDSA");
    const iat = Math.floor(T0 / 1000);
    const forged = await new SignJWT({
      iss: ISSUER, sub: "mallory@example.com", aud: "prod-db", scope: "db:read",
      grant_id: claims.grantId, jti: claims.jti, iat, nbf: iat, exp: iat + 3600,
    })
      .setProtectedHeader({ alg: "EdDSA", kid: keys.current.kid, typ: "JWT" })
      .sign(stranger.privateKey);
    expect(await signerWith().verify(forged)).toBeNull();
  });

  it("refuses to issue a credential that would expire before it is issued", async () => {
    await expect(signerWith().sign({ ...claims, expiresAt: claims.issuedAt })).rejects.toThrow(/expire/);
  });
});
