/**
 * Encryption at rest of the signing keys' private JWKs in PostgreSQL: AES-256-GCM (node:crypto)
 * under GRANTBOT_KEY_ENCRYPTION_KEY (32 bytes), a random 12-byte IV per encryption, the 16-byte
 * tag kept beside the ciphertext, and the kid as additional authenticated data, so a ciphertext
 * copied onto another row (another kid) fails to decrypt instead of signing under the wrong kid.
 *
 * The key is held as a node KeyObject, which never prints its bytes; errors never carry key
 * material or plaintext.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { AppError } from "../../domain/errors.ts";

export const KEY_ENCRYPTION_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Domain separation: these AAD bytes mean "a grantbot signing key row, format 1, for this kid". */
const AAD_PREFIX = "grantbot.signing_keys.v1:";

export interface SealedKey {
  readonly cipher: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
}

export class SigningKeyCipher {
  readonly #key: KeyObject;

  /** Throws AppError `config_invalid` (naming GRANTBOT_KEY_ENCRYPTION_KEY) unless `key` is 32 bytes. */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.byteLength !== KEY_ENCRYPTION_KEY_BYTES) {
      throw new AppError(
        "config_invalid",
        `GRANTBOT_KEY_ENCRYPTION_KEY must be ${KEY_ENCRYPTION_KEY_BYTES} random bytes (base64 or base64url); ` +
          `generate one with: openssl rand -base64 32`,
      );
    }
    this.#key = createSecretKey(Buffer.from(key));
  }

  /** Encrypts `plaintext` for the row of `kid`, with a fresh random IV. */
  seal(kid: string, plaintext: Uint8Array): SealedKey {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(kid));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { cipher: body, iv, tag: cipher.getAuthTag() };
  }

  /**
   * Decrypts the row of `kid`. Throws AppError `config_invalid` when the key is wrong or the row
   * was altered (GCM authentication fails), without any detail that could carry key material.
   */
  open(kid: string, sealed: SealedKey): Buffer {
    try {
      if (sealed.iv.byteLength !== IV_BYTES || sealed.tag.byteLength !== TAG_BYTES) throw new Error("bad sizes");
      const decipher = createDecipheriv("aes-256-gcm", this.#key, sealed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(kid));
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.cipher), decipher.final()]);
    } catch {
      throw new AppError(
        "config_invalid",
        "cannot decrypt the signing keys: wrong GRANTBOT_KEY_ENCRYPTION_KEY? (every instance must use the " +
          `same one; or the signing_keys row of kid ${kid} was altered)`,
      );
    }
  }
}

function aad(kid: string): Buffer {
  return Buffer.from(AAD_PREFIX + kid, "utf8");
}
