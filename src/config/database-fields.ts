/**
 * The two settings of the PostgreSQL back end: GRANTBOT_DATABASE_URL (its password makes the
 * whole URL a secret) and GRANTBOT_KEY_ENCRYPTION_KEY (32 random bytes that encrypt the signing
 * keys stored in the database). Neither value is ever echoed in an error.
 */
import { z } from "zod";
import { text } from "./fields.ts";
import { Secret } from "./secret.ts";

export const DATABASE_URL_HINT = "expected a postgres:// or postgresql:// URL, e.g. postgres://grantbot:<password>@db.example.com:5432/grantbot";
export const KEY_ENCRYPTION_KEY_HINT = "expected 32 random bytes as base64 or base64url; generate one with `openssl rand -base64 32`";

/** The key length AES-256-GCM needs. */
export const KEY_ENCRYPTION_KEY_BYTES = 32;
/** 32 random bytes have 16+ different values all but never (p < 1e-12); fewer means a placeholder. */
const MIN_DISTINCT_BYTES = 16;

/**
 * A postgres:// or postgresql:// connection URL, as a Secret. Only the scheme and the absence of
 * whitespace are checked here (node-postgres parses the rest, including forms WHATWG URL refuses,
 * such as an empty host with a Unix socket in `?host=`); a wrong value fails at connection time.
 */
export function databaseUrl() {
  return text(DATABASE_URL_HINT).transform((value, ctx) => {
    if (!/^postgres(?:ql)?:\/\/\S*$/i.test(value)) {
      ctx.addIssue({ code: "custom", message: DATABASE_URL_HINT });
      return z.NEVER;
    }
    return new Secret(value);
  });
}

/**
 * The 32 bytes of a key written as base64 or base64url (padding optional, one alphabet), or why
 * the text is not such a key. The reason never contains the text.
 */
export function decodeKeyEncryptionKey(value: string): { ok: true; bytes: Buffer } | { ok: false; problem: string } {
  const standard = /^[A-Za-z0-9+/]+={0,2}$/.test(value);
  const url = /^[A-Za-z0-9_-]+={0,2}$/.test(value);
  if (!standard && !url) return { ok: false, problem: `is not base64 or base64url; ${KEY_ENCRYPTION_KEY_HINT}` };
  const bytes = Buffer.from(value, standard ? "base64" : "base64url");
  if (bytes.length !== KEY_ENCRYPTION_KEY_BYTES) {
    return { ok: false, problem: `decodes to ${bytes.length} bytes, not ${KEY_ENCRYPTION_KEY_BYTES}; ${KEY_ENCRYPTION_KEY_HINT}` };
  }
  const distinct = new Set(bytes).size;
  if (distinct < MIN_DISTINCT_BYTES) {
    return { ok: false, problem: `has only ${distinct} different byte values, so it looks like a placeholder, not random bytes; ${KEY_ENCRYPTION_KEY_HINT}` };
  }
  return { ok: true, bytes };
}

/** GRANTBOT_KEY_ENCRYPTION_KEY: checked as above, kept as a Secret holding its standard base64. */
export function keyEncryptionKey() {
  return text(KEY_ENCRYPTION_KEY_HINT).transform((value, ctx) => {
    const decoded = decodeKeyEncryptionKey(value);
    if (!decoded.ok) {
      ctx.addIssue({ code: "custom", message: decoded.problem });
      return z.NEVER;
    }
    return new Secret(decoded.bytes.toString("base64"));
  });
}

/** The 32 key bytes of a `config.database.keyEncryptionKey` (where the key is used: the cipher). */
export function keyEncryptionKeyBytes(key: Secret): Buffer {
  const decoded = decodeKeyEncryptionKey(key.reveal());
  if (!decoded.ok) throw new TypeError("GRANTBOT_KEY_ENCRYPTION_KEY was not validated by loadConfig");
  return decoded.bytes;
}
