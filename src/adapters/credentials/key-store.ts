/**
 * The credential issuer's signing keys, kept in `<GRANTBOT_DATA_DIR>/signing-keys.json`.
 *
 * - First start: one key pair (EdDSA/Ed25519 by default, or ES256) is generated and written with
 *   mode 0600 (temp file + rename, so a crash never leaves a half-written key file).
 * - `kid` is the RFC 7638 JWK thumbprint of the public key, so it is stable across restarts.
 * - Rotation: once the current key is older than `rotateAfterMs` (or the configured alg changed),
 *   a new current key is generated and the old current key is kept as `previous` (only that one),
 *   so tokens it signed still verify and it stays in the JWKS.
 * - A key file readable by group/others, or one that does not parse, stops the process.
 *
 * Key material never appears in errors or logs: the private key is held as a non-extractable
 * CryptoKey, and errors name the file, never its content.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { z } from "zod";
import { AppError } from "../../domain/errors.ts";

export type SigningAlg = "EdDSA" | "ES256";
export const KEY_FILE_NAME = "signing-keys.json";
export const DEFAULT_ROTATE_AFTER_MS = 90 * 24 * 60 * 60 * 1000;

export interface SigningKey {
  /** RFC 7638 thumbprint (SHA-256, base64url) of the public JWK. */
  readonly kid: string;
  readonly alg: SigningAlg;
  /** When the key was generated (epoch ms). */
  readonly createdAt: number;
  /** Non-extractable: it can sign, it cannot be printed. */
  readonly privateKey: CryptoKey;
  /** Public members only (kty, crv, x, y). */
  readonly publicJwk: Readonly<JWK>;
}

export interface SigningKeys {
  /** Signs every new credential. */
  readonly current: SigningKey;
  /** The key rotated out last; still verifies and is still published. */
  readonly previous: SigningKey | null;
}

export interface LoadedSigningKeys extends SigningKeys {
  readonly path: string;
  /** What this call did, for one log line (never the key itself). */
  readonly event: "created" | "loaded" | "rotated";
}

const jwkSchema = z.object({
  kty: z.enum(["OKP", "EC"]),
  crv: z.enum(["Ed25519", "P-256"]),
  x: z.string().min(1),
  y: z.string().min(1).optional(),
  d: z.string().min(1),
});
const storedKeySchema = z.object({
  kid: z.string().min(1),
  alg: z.enum(["EdDSA", "ES256"]),
  createdAt: z.number().int().nonnegative(),
  privateJwk: jwkSchema,
});
const keyFileSchema = z.object({ version: z.literal(1), keys: z.array(storedKeySchema).min(1).max(2) });
/** A key as persisted (the private JWK in clear: only ever written to a 0600 file or encrypted). */
export type StoredKey = z.infer<typeof storedKeySchema>;
/** The shape a decoded private JWK must have (OKP/Ed25519 or EC/P-256 with `d`). */
export const privateJwkSchema = jwkSchema;

/**
 * Loads the signing keys from `dataDir`, creating or rotating them as needed. Safe to call again
 * (e.g. daily) in a running process: it only writes when it creates or rotates a key.
 * Throws AppError `config_invalid` for an unsafe or unreadable key file.
 */
export async function loadOrCreateSigningKeys(
  dataDir: string,
  opts: { now: number; rotateAfterMs?: number; alg?: SigningAlg },
): Promise<LoadedSigningKeys> {
  const path = join(dataDir, KEY_FILE_NAME);
  let stored = await readKeyFile(path);
  let event: LoadedSigningKeys["event"] = "loaded";
  if (stored === null) {
    stored = [await generateStoredKey(opts.alg ?? "EdDSA", opts.now)];
    event = "created";
  } else {
    const current = stored[0]!;
    if (rotationDue(current, opts)) {
      stored = [await generateStoredKey(opts.alg ?? current.alg, opts.now), current];
      event = "rotated";
    }
  }
  if (event !== "loaded") await writeKeyFile(dataDir, path, stored);
  const [current, previous] = await Promise.all(stored.map((k) => importStoredKey(k, `the signing key file ${path}`)));
  return { current: current!, previous: previous ?? null, path, event };
}

/** True when `current` is older than `rotateAfterMs` (default 90 days) or `alg` asks for another algorithm. */
export function rotationDue(
  current: { alg: SigningAlg; createdAt: number },
  opts: { now: number; rotateAfterMs?: number; alg?: SigningAlg },
): boolean {
  const aged = opts.now - current.createdAt >= (opts.rotateAfterMs ?? DEFAULT_ROTATE_AFTER_MS);
  return aged || (opts.alg !== undefined && opts.alg !== current.alg);
}

async function readKeyFile(path: string): Promise<StoredKey[] | null> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new AppError("config_invalid", `cannot read the signing key file ${path}`, { cause: error });
  }
  if (!info.isFile()) throw new AppError("config_invalid", `${path} is not a regular file`);
  if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(3, "0");
    throw new AppError(
      "config_invalid",
      `the signing key file ${path} is accessible by group or others (mode ${mode}); ` +
        `refusing to use it. Fix it with: chmod 600 ${path}`,
    );
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new AppError("config_invalid", `cannot read the signing key file ${path}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No `cause`: a SyntaxError message can quote the file content.
    throw new AppError("config_invalid", `the signing key file ${path} is not valid JSON; ` +
      `restore it from a backup or delete it to generate a new key (tokens already issued stop verifying)`);
  }
  const result = keyFileSchema.safeParse(parsed);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((i) => i.path.join(".") || "(root)"))].join(", ");
    throw new AppError("config_invalid", `the signing key file ${path} is corrupt (bad fields: ${fields}); ` +
      `restore it from a backup or delete it to generate a new key (tokens already issued stop verifying)`);
  }
  return result.data.keys;
}

async function writeKeyFile(dataDir: string, path: string, keys: StoredKey[]): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tmp = join(dataDir, `.${KEY_FILE_NAME}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(JSON.stringify({ version: 1, keys }, null, 2) + "\n", "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw new AppError("config_invalid", `cannot write the signing key file in ${dataDir}`, { cause: error });
  }
  await handle.close();
  await rename(tmp, path);
}

/** Generates a key pair; the private JWK is returned for the caller to persist (file or encrypted). */
export async function generateStoredKey(alg: SigningAlg, now: number): Promise<StoredKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(pair.privateKey);
  const privateJwk = jwkSchema.parse(jwk);
  return { kid: await calculateJwkThumbprint(publicPart(privateJwk)), alg, createdAt: now, privateJwk };
}

/**
 * Imports a stored key as a non-extractable SigningKey, checking that its kid is its thumbprint.
 * `where` names the store in errors (e.g. "the signing key file /data/signing-keys.json").
 */
export async function importStoredKey(stored: StoredKey, where: string): Promise<SigningKey> {
  const publicJwk = publicPart(stored.privateJwk);
  const expectedCrv = stored.alg === "EdDSA" ? "Ed25519" : "P-256";
  if (stored.privateJwk.crv !== expectedCrv || stored.kid !== (await calculateJwkThumbprint(publicJwk))) {
    throw new AppError("config_invalid", `${where} is corrupt (a kid does not match its key)`);
  }
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK(stored.privateJwk, stored.alg, { extractable: false })) as CryptoKey;
  } catch {
    throw new AppError("config_invalid", `${where} holds a key that cannot be imported`);
  }
  return Object.freeze({ kid: stored.kid, alg: stored.alg, createdAt: stored.createdAt, privateKey, publicJwk });
}

/** The public members of an OKP/EC JWK; everything else (notably `d`) is dropped. */
export function publicPart(jwk: z.infer<typeof jwkSchema>): JWK {
  const out: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  if (jwk.y !== undefined) out.y = jwk.y;
  return Object.freeze(out);
}
