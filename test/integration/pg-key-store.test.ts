/**
 * The signing keys shared by a cluster (PgKeyStore) on a real PostgreSQL server: several
 * instances, each with its own pool and store, on one database.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { calculateJwkThumbprint, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeEach, expect, it } from "vitest";
import { JoseCredentialSigner, type SigningKeySource } from "../../src/adapters/credentials/jose-credential-signer.ts";
import type { SigningKeys } from "../../src/adapters/credentials/key-store.ts";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { PgKeyStore } from "../../src/adapters/postgres/pg-key-store.ts";
import { PG_SCHEMA_KEYS } from "../../src/adapters/postgres/schema-keys.ts";
import { SigningKeyCipher } from "../../src/adapters/postgres/signing-key-cipher.ts";
import { AppError } from "../../src/domain/errors.ts";
import type { CredentialClaims } from "../../src/services/ports/index.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const ISSUER = "https://grantbot.test";
const KEK = randomBytes(32);
const clock = { now: () => T0 };
const opened: PgDatabase[] = [];

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

function claims(jti: string): CredentialClaims {
  return { subject: "alice@example.com", audience: "prod-db", scope: "db:read", grantId: "g1", jti, issuedAt: T0, expiresAt: T0 + 100 * DAY };
}

interface Instance {
  db: PgDatabase;
  store: PgKeyStore;
}

describeWithPostgres("PgKeyStore: signing keys shared by the cluster", () => {
  let url: string;
  let admin: PgDatabase;

  function instance(kek: Uint8Array = KEK, opts: { alg?: "EdDSA" | "ES256" } = {}): Instance {
    const db = new PgDatabase(url, { max: 3 });
    opened.push(db);
    return { db, store: new PgKeyStore({ db, keyEncryptionKey: kek, ...opts }) };
  }

  async function rows(): Promise<Record<string, unknown>[]> {
    return (await admin.query("SELECT kid, alg, created_at, role, retired_at, public_jwk, private_key_cipher IS NULL AS wiped FROM signing_keys ORDER BY created_at, kid")).rows;
  }

  const signer = (keys: SigningKeys, source?: SigningKeySource) => new JoseCredentialSigner({ keys, issuer: ISSUER, clock, ...(source ? { source } : {}) });

  beforeEach(async () => {
    url = await freshDatabaseUrl("keys");
    admin = new PgDatabase(url, { max: 2 });
    opened.push(admin);
    await admin.query(PG_SCHEMA_KEYS); // the signing_keys part of migration 1: this suite needs no other table
  });

  it("creates one EdDSA key on the first start, whose kid is its thumbprint, and loads it on the next", async () => {
    const first = await instance().store.loadOrCreate(T0);
    expect(first.event).toBe("created");
    expect(first.current.alg).toBe("EdDSA");
    expect(first.current.kid).toBe(await calculateJwkThumbprint(first.current.publicJwk));
    expect(first.previous).toBeNull();
    expect(first.current.privateKey.extractable).toBe(false);
    expect(await rows()).toEqual([expect.objectContaining({ kid: first.current.kid, role: "current", created_at: T0, public_jwk: first.current.publicJwk })]);

    const again = await instance().store.loadOrCreate(T0 + 89 * DAY);
    expect(again.event).toBe("loaded");
    expect(again.current.kid).toBe(first.current.kid);
  });

  it("ends with one current key, the same for all, when three instances start at once", async () => {
    const results = await Promise.all([instance(), instance(), instance()].map((i) => i.store.loadOrCreate(T0)));
    expect(results.map((r) => r.event).sort()).toEqual(["created", "loaded", "loaded"]);
    expect(new Set(results.map((r) => r.current.kid)).size).toBe(1);
    expect(await rows()).toHaveLength(1);
    const jwks = results.map((r) => signer(r).jwks());
    expect(jwks[1]).toEqual(jwks[0]);
    expect(jwks[2]).toEqual(jwks[0]);
  });

  it("stores the private key only encrypted, bound to its kid", async () => {
    const { store } = instance();
    const keys = await store.loadOrCreate(T0);
    const { rows: [raw] } = await admin.query<{ kid: string; private_key_cipher: Buffer; private_key_iv: Buffer; private_key_tag: Buffer; whole: string }>(
      "SELECT kid, private_key_cipher, private_key_iv, private_key_tag, row_to_json(s)::text AS whole FROM signing_keys s",
    );
    // Decrypt the row here to learn `d`, then look for it in everything the database holds.
    const jwk = JSON.parse(new SigningKeyCipher(KEK).open(raw!.kid, { cipher: raw!.private_key_cipher, iv: raw!.private_key_iv, tag: raw!.private_key_tag }).toString()) as { d: string; x: string };
    expect(jwk.x).toBe(keys.current.publicJwk.x);
    const dBytes = Buffer.from(jwk.d, "base64url");
    expect(raw!.whole).not.toContain(jwk.d);
    expect(raw!.whole).not.toContain(dBytes.toString("hex"));
    expect(raw!.private_key_cipher.includes(dBytes)).toBe(false);
    expect(raw!.private_key_cipher.includes(Buffer.from(jwk.d))).toBe(false);
    expect(raw!.private_key_iv).toHaveLength(12);
    expect(raw!.private_key_tag).toHaveLength(16);
    // Nothing secret when the store or its keys are printed.
    for (const shown of [inspect(store, { depth: 10 }), inspect(keys, { depth: 10 }), JSON.stringify(keys)]) {
      expect(shown).not.toContain(jwk.d);
      expect(shown).not.toContain(KEK.toString("base64"));
      expect(shown).not.toContain(KEK.toString("hex"));
    }
  });

  it("refuses a wrong GRANTBOT_KEY_ENCRYPTION_KEY clearly, and writes nothing even when a rotation is due", async () => {
    await instance().store.loadOrCreate(T0);
    const before = await rows();
    for (const now of [T0, T0 + 91 * DAY]) {
      const error = await instance(randomBytes(32)).store.loadOrCreate(now).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("config_invalid");
      expect((error as AppError).message).toContain("cannot decrypt the signing keys: wrong GRANTBOT_KEY_ENCRYPTION_KEY?");
      expect((error as AppError).cause).toBeUndefined();
    }
    expect(await rows()).toEqual(before);
  });

  it("refuses a key encryption key that is not 32 bytes, naming the variable", () => {
    for (const kek of [randomBytes(16), randomBytes(33), new Uint8Array(0)]) {
      expect(() => instance(kek)).toThrow(/GRANTBOT_KEY_ENCRYPTION_KEY must be 32 random bytes/);
    }
  });

  it("refuses a ciphertext moved onto another kid's row", async () => {
    await instance().store.loadOrCreate(T0);
    await instance().store.loadOrCreate(T0 + 90 * DAY); // now a current and a previous
    await admin.query(`UPDATE signing_keys AS a SET private_key_cipher = b.private_key_cipher, private_key_iv = b.private_key_iv,
      private_key_tag = b.private_key_tag FROM signing_keys AS b WHERE a.role = 'current' AND b.role = 'previous'`);
    const error = await instance().store.refresh().catch((e: unknown) => e);
    expect((error as AppError).message).toContain("wrong GRANTBOT_KEY_ENCRYPTION_KEY?");
  });

  it("lets another instance pick up a rotation: both keys in its JWKS, new and previous tokens verify", async () => {
    const a = instance();
    const b = instance();
    const signerA = signer(await a.store.loadOrCreate(T0));
    const keysB = await b.store.loadOrCreate(T0);
    const signerB = signer(keysB, b.store);
    const { token: oldToken, kid: oldKid } = await signerA.sign(claims("before"));

    const rotated = await a.store.loadOrCreate(T0 + 90 * DAY);
    expect(rotated.event).toBe("rotated");
    expect(rotated.previous?.kid).toBe(oldKid);
    signerA.useKeys(rotated);
    const { token: newToken, kid: newKid } = await signerA.sign(claims("after"));
    expect(newKid).not.toBe(oldKid);

    // B has not refreshed yet: the unknown kid makes it re-read the keys once, then verify.
    expect(signerB.jwks().keys.map((k) => k.kid)).toEqual([oldKid]);
    expect(await signerB.verify(newToken)).toMatchObject({ jti: "after" });
    expect(signerB.jwks()).toEqual(signerA.jwks());
    expect(signerB.jwks().keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    expect(await signerB.verify(oldToken)).toMatchObject({ jti: "before" });
    expect((await signerB.sign(claims("b"))).kid).toBe(newKid);
    expect(b.store.keys.current.kid).toBe(newKid);
  });

  it("picks up a rotation on the periodic refresh, which returns the same keys when nothing changed", async () => {
    const a = instance();
    const b = instance();
    await a.store.loadOrCreate(T0);
    const keysB = await b.store.loadOrCreate(T0);
    const signerB = signer(keysB, b.store);
    const held = b.store.keys;
    expect(await b.store.refresh()).toBe(held);
    expect(await signerB.refresh()).toBe(false);

    const rotated = await a.store.loadOrCreate(T0 + 90 * DAY);
    expect(await signerB.refresh()).toBe(true);
    expect(signerB.currentKid).toBe(rotated.current.kid);
    expect(signerB.jwks().keys.map((k) => k.kid)).toEqual([rotated.current.kid, keysB.current.kid]);
  });

  it("rotates once when three instances find the key due at the same time, and retires the older key", async () => {
    const instances = [instance(), instance(), instance()];
    const first = await instances[0]!.store.loadOrCreate(T0);
    const results = await Promise.all(instances.map((i) => i.store.loadOrCreate(T0 + 90 * DAY)));
    expect(results.map((r) => r.event).sort()).toEqual(["loaded", "loaded", "rotated"]);
    expect(new Set(results.map((r) => r.current.kid)).size).toBe(1);
    expect(results.every((r) => r.previous?.kid === first.current.kid)).toBe(true);
    expect((await rows()).map((r) => r.role)).toEqual(["previous", "current"]);

    const third = await Promise.all(instances.map((i) => i.store.loadOrCreate(T0 + 180 * DAY)));
    expect(third.map((r) => r.event).sort()).toEqual(["loaded", "loaded", "rotated"]);
    expect(await rows()).toEqual([
      expect.objectContaining({ kid: first.current.kid, role: "retired", retired_at: T0 + 180 * DAY, wiped: true }),
      expect.objectContaining({ kid: results[0]!.current.kid, role: "previous", wiped: false }),
      expect.objectContaining({ kid: third[0]!.current.kid, role: "current", wiped: false }),
    ]);
  });

  it("rotates to ES256 when the configured algorithm changes, keeping the EdDSA key as previous", async () => {
    const first = await instance().store.loadOrCreate(T0);
    const second = await instance(KEK, { alg: "ES256" }).store.loadOrCreate(T0 + 1);
    expect(second.event).toBe("rotated");
    expect([second.current.alg, second.previous?.alg]).toEqual(["ES256", "EdDSA"]);
    expect(second.current.publicJwk).toMatchObject({ kty: "EC", crv: "P-256" });
    expect(second.previous?.kid).toBe(first.current.kid);
  });

  it("re-reads the keys at most once per interval for tokens with unknown kids", async () => {
    const { store } = instance();
    const keys = await store.loadOrCreate(T0);
    let reads = 0;
    let now = T0;
    const counting: SigningKeySource = { refresh: () => ((reads += 1), store.refresh()) };
    const s = new JoseCredentialSigner({ keys, issuer: ISSUER, clock: { now: () => now }, source: counting, unknownKidRefreshMs: 5_000 });
    const stranger = await generateKeyPair("EdDSA");
    const forged = (kid: string) => new SignJWT({ iss: ISSUER }).setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" }).sign(stranger.privateKey);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => forged(`made-up-${i}`)));
    expect(decodeProtectedHeader(tokens[0]!).kid).toBe("made-up-0");
    expect(await Promise.all(tokens.map((t) => s.verify(t)))).toEqual(tokens.map(() => null));
    expect(reads).toBe(1);
    now += 4_999;
    expect(await s.verify(tokens[1]!)).toBeNull();
    expect(reads).toBe(1);
    now += 1;
    expect(await s.verify(tokens[2]!)).toBeNull();
    expect(reads).toBe(2);
  });
});
