import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { calculateJwkThumbprint } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { JoseCredentialSigner } from "../../src/adapters/credentials/jose-credential-signer.ts";
import { KEY_FILE_NAME, loadOrCreateSigningKeys } from "../../src/adapters/credentials/key-store.ts";
import { AppError } from "../../src/domain/errors.ts";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const dirs: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "grantbot-keys-"));
  dirs.push(dir);
  return join(dir, "data"); // not created yet: the store creates it
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const posixOnly = process.platform === "win32" ? it.skip : it;

describe("signing key store", () => {
  posixOnly("creates the key file with mode 0600 in a 0700 directory on first start", async () => {
    const dataDir = await freshDir();
    const keys = await loadOrCreateSigningKeys(dataDir, { now: T0 });
    expect(keys.event).toBe("created");
    expect((await stat(keys.path)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect(keys.current.alg).toBe("EdDSA");
    expect(keys.current.publicJwk).toMatchObject({ kty: "OKP", crv: "Ed25519" });
    expect(keys.previous).toBeNull();
  });

  it("uses the RFC 7638 thumbprint of the public key as kid", async () => {
    const keys = await loadOrCreateSigningKeys(await freshDir(), { now: T0 });
    expect(keys.current.kid).toBe(await calculateJwkThumbprint(keys.current.publicJwk));
  });

  it("reuses the same key after a restart", async () => {
    const dataDir = await freshDir();
    const first = await loadOrCreateSigningKeys(dataDir, { now: T0 });
    const before = await readFile(first.path, "utf8");
    const second = await loadOrCreateSigningKeys(dataDir, { now: T0 + 89 * DAY });
    expect(second.event).toBe("loaded");
    expect(second.current.kid).toBe(first.current.kid);
    expect(await readFile(first.path, "utf8")).toBe(before);
  });

  it("generates an ES256 key when asked", async () => {
    const keys = await loadOrCreateSigningKeys(await freshDir(), { now: T0, alg: "ES256" });
    expect(keys.current.alg).toBe("ES256");
    expect(keys.current.publicJwk).toMatchObject({ kty: "EC", crv: "P-256" });
  });

  it("rotates after 90 days, keeping only the previous key, which still verifies old tokens", async () => {
    const dataDir = await freshDir();
    const clock = { now: () => T0 };
    const first = await loadOrCreateSigningKeys(dataDir, { now: T0 });
    const oldSigner = new JoseCredentialSigner({ keys: first, issuer: "https://grantbot.test", clock });
    const { token } = await oldSigner.sign({
      subject: "alice@example.com", audience: "prod-db", scope: "db:read", grantId: "g1", jti: "j1",
      issuedAt: T0, expiresAt: T0 + 91 * DAY,
    });

    const second = await loadOrCreateSigningKeys(dataDir, { now: T0 + 90 * DAY });
    expect(second.event).toBe("rotated");
    expect(second.current.kid).not.toBe(first.current.kid);
    expect(second.previous?.kid).toBe(first.current.kid);

    const signer = new JoseCredentialSigner({ keys: second, issuer: "https://grantbot.test", clock });
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual([second.current.kid, first.current.kid]);
    expect(await signer.verify(token)).toMatchObject({ jti: "j1" });
    expect((await signer.sign({
      subject: "a@example.com", audience: "x", scope: "", grantId: "g2", jti: "j2", issuedAt: T0, expiresAt: T0 + DAY,
    })).kid).toBe(second.current.kid);

    const third = await loadOrCreateSigningKeys(dataDir, { now: T0 + 180 * DAY });
    expect(third.previous?.kid).toBe(second.current.kid);
    const file = JSON.parse(await readFile(third.path, "utf8")) as { keys: { kid: string }[] };
    expect(file.keys.map((k) => k.kid)).toEqual([third.current.kid, second.current.kid]);
  });

  it("rotates at once when the configured algorithm changes", async () => {
    const dataDir = await freshDir();
    const first = await loadOrCreateSigningKeys(dataDir, { now: T0 });
    const second = await loadOrCreateSigningKeys(dataDir, { now: T0 + 1, alg: "ES256" });
    expect(second.event).toBe("rotated");
    expect([second.current.alg, second.previous?.alg]).toEqual(["ES256", "EdDSA"]);
    expect(second.previous?.kid).toBe(first.current.kid);
  });

  posixOnly("refuses a key file readable by group or others and says how to fix it", async () => {
    const dataDir = await freshDir();
    const { path } = await loadOrCreateSigningKeys(dataDir, { now: T0 });
    await chmod(path, 0o644);
    const error = await loadOrCreateSigningKeys(dataDir, { now: T0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("config_invalid");
    expect((error as AppError).message).toContain(`chmod 600 ${path}`);
    await chmod(path, 0o600);
    expect((await loadOrCreateSigningKeys(dataDir, { now: T0 })).event).toBe("loaded");
  });

  it.each([
    ["not JSON", "{ this is not json"],
    ["the wrong shape", JSON.stringify({ version: 1, keys: [] })],
    ["a kid that does not match its key", null],
  ])("refuses a key file that is %s, without quoting key material", async (_name, content) => {
    const dataDir = await freshDir();
    const { path } = await loadOrCreateSigningKeys(dataDir, { now: T0 });
    const original = await readFile(path, "utf8");
    const text = content ?? original.replace(/"kid": "[^"]+"/, '"kid": "not-the-thumbprint"');
    await writeFile(path, text, { mode: 0o600 });
    const error = await loadOrCreateSigningKeys(dataDir, { now: T0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("config_invalid");
    expect((error as AppError).message).toContain(KEY_FILE_NAME);
    const d = (JSON.parse(original) as { keys: { privateJwk: { d: string } }[] }).keys[0]!.privateJwk.d;
    expect(inspect(error, { depth: 5 })).not.toContain(d);
  });

  it("never shows the private key when the loaded keys are printed", async () => {
    const keys = await loadOrCreateSigningKeys(await freshDir(), { now: T0 });
    const file = JSON.parse(await readFile(keys.path, "utf8")) as { keys: { privateJwk: { d: string } }[] };
    const d = file.keys[0]!.privateJwk.d;
    expect(inspect(keys, { depth: 10 })).not.toContain(d);
    expect(JSON.stringify(keys)).not.toContain(d);
    expect(keys.current.privateKey.extractable).toBe(false);
  });
});
