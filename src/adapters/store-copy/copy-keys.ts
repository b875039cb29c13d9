/**
 * The signing keys' part of `grantbot store copy`: the SQLite deployment's
 * `<data dir>/signing-keys.json` (current key first, then the previous one) becomes the rows of
 * `signing_keys`, each private JWK encrypted under GRANTBOT_KEY_ENCRYPTION_KEY exactly as
 * PgKeyStore writes it (signing-key-cipher.ts, the kid as additional data). The kids stay the
 * same, so every token issued before the move still verifies, and the JWKS is unchanged.
 *
 * Each key is imported first (importStoredKey checks its kid is its thumbprint): a corrupt key
 * file stops the copy before anything is written. A data directory without a key file (grantbot
 * never issued a credential) copies no key; the first instance on PostgreSQL creates one.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { importStoredKey, KEY_FILE_NAME, privateJwkSchema, publicPart, type StoredKey } from "../credentials/key-store.ts";
import type { Queryable } from "../postgres/pg-database.ts";
import { SigningKeyCipher } from "../postgres/signing-key-cipher.ts";

const keyFileSchema = z.object({
  version: z.literal(1),
  keys: z.array(z.object({ kid: z.string().min(1), alg: z.enum(["EdDSA", "ES256"]), createdAt: z.number().int().nonnegative(), privateJwk: privateJwkSchema })).min(1).max(2),
});

export interface CopiedKey {
  kid: string;
  role: "current" | "previous";
}

/** The keys of `dataDir` (empty when it has no key file), checked. Throws for a corrupt file, never quoting it. */
export async function readSourceKeys(dataDir: string): Promise<StoredKey[]> {
  const path = join(dataDir, KEY_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`cannot read the signing key file ${path}`, { cause: error });
  }
  let parsed: z.infer<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(text));
  } catch {
    throw new Error(`the signing key file ${path} is corrupt; nothing was copied`);
  }
  for (const key of parsed.keys) await importStoredKey(key, `the signing key file ${path}`);
  return parsed.keys;
}

/** Writes the keys into `signing_keys` (inside the copying transaction). */
export async function copyKeys(db: Queryable, keys: readonly StoredKey[], keyEncryptionKey: Uint8Array): Promise<CopiedKey[]> {
  const cipher = new SigningKeyCipher(keyEncryptionKey);
  const copied: CopiedKey[] = [];
  for (const [i, key] of keys.entries()) {
    const role = i === 0 ? "current" : "previous";
    const plaintext = Buffer.from(JSON.stringify(key.privateJwk), "utf8");
    const sealed = cipher.seal(key.kid, plaintext);
    plaintext.fill(0);
    await db.query(
      "INSERT INTO signing_keys (kid, alg, created_at, public_jwk, private_key_cipher, private_key_iv, private_key_tag, role) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      [key.kid, key.alg, key.createdAt, JSON.stringify(publicPart(key.privateJwk)), sealed.cipher, sealed.iv, sealed.tag, role],
    );
    copied.push({ kid: key.kid, role });
  }
  return copied;
}
