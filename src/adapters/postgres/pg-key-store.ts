/**
 * The credential issuer's signing keys in PostgreSQL, shared by every instance: the same contract
 * as the file store (key-store.ts) — one current key that signs, the previous one still published
 * and verifying, `kid` = RFC 7638 thumbprint, EdDSA by default or ES256, rotation once the current
 * key is older than `rotateAfterMs` or the configured alg changed — for a cluster.
 *
 * - Creation and rotation happen once for the cluster: inside a transaction holding the advisory
 *   lock `grantbot.signing-keys`, the rows are read again and only then is a key created or
 *   rotated. Instances starting (or rotating) together end with one current key.
 * - Before writing, the locked transaction decrypts the keys already there, so an instance with a
 *   wrong GRANTBOT_KEY_ENCRYPTION_KEY is refused and never adds a key the others cannot read.
 * - Private JWKs are stored encrypted (signing-key-cipher.ts) and imported as non-extractable
 *   CryptoKeys; nothing here logs, and errors never carry key material.
 * - `refresh()` re-reads the rows (one small query) and decrypts only kids it has not seen, so
 *   an instance picks up a rotation made by another one; it returns the same object when nothing
 *   changed (JoseCredentialSigner's `source`).
 * - Rotation retires the old previous key: its private key is wiped, the row stays.
 */
import { AppError } from "../../domain/errors.ts";
import type { SigningKeySource } from "../credentials/jose-credential-signer.ts";
import {
  generateStoredKey,
  importStoredKey,
  privateJwkSchema,
  publicPart,
  rotationDue,
  type SigningAlg,
  type SigningKey,
  type SigningKeys,
  type StoredKey,
} from "../credentials/key-store.ts";
import { lockForTransaction, type Queryable } from "./pg-database.ts";
import { SigningKeyCipher } from "./signing-key-cipher.ts";

/** The advisory lock that serializes key creation and rotation across the cluster. */
export const SIGNING_KEYS_LOCK = "grantbot.signing-keys";
const WHERE = "the signing_keys table";

/** What the store needs of PgDatabase: queries, and transactions they join (ambiently). */
export interface PgKeyStoreDatabase extends Queryable {
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export interface PgKeyStoreOptions {
  db: PgKeyStoreDatabase;
  /** GRANTBOT_KEY_ENCRYPTION_KEY, decoded: exactly 32 bytes. */
  keyEncryptionKey: Uint8Array;
  /** The algorithm of new keys; when set and different from the current key's, rotates at once. Default EdDSA. */
  alg?: SigningAlg;
  /** Rotate once the current key is this old (ms). Default 90 days. */
  rotateAfterMs?: number;
}

export interface LoadedPgSigningKeys extends SigningKeys {
  /** What this call did, for one log line (never the key itself). */
  readonly event: "created" | "loaded" | "rotated";
}

interface KeyRow {
  kid: string;
  alg: SigningAlg;
  created_at: number;
  role: "current" | "previous";
  private_key_cipher: Buffer;
  private_key_iv: Buffer;
  private_key_tag: Buffer;
}

export class PgKeyStore implements SigningKeySource {
  readonly #db: PgKeyStoreDatabase;
  readonly #cipher: SigningKeyCipher;
  readonly #alg: SigningAlg | undefined;
  readonly #rotateAfterMs: number | undefined;
  /** Imported keys by kid (current and previous only). */
  #imported = new Map<string, SigningKey>();
  #keys: SigningKeys | null = null;

  /** Throws AppError `config_invalid` when the key encryption key is not 32 bytes. */
  constructor(opts: PgKeyStoreOptions) {
    this.#db = opts.db;
    this.#cipher = new SigningKeyCipher(opts.keyEncryptionKey);
    this.#alg = opts.alg;
    this.#rotateAfterMs = opts.rotateAfterMs;
  }

  /** The keys as last loaded or refreshed. Throws before the first `loadOrCreate`. */
  get keys(): SigningKeys {
    if (this.#keys === null) throw new AppError("internal", "the signing keys are used before PgKeyStore.loadOrCreate");
    return this.#keys;
  }

  /**
   * Loads the cluster's keys, creating the first one or rotating as needed (once for the cluster).
   * Safe to call again (at start, and e.g. hourly by every instance): without anything to do it is
   * one read, no lock. Throws AppError `config_invalid` for a wrong encryption key or corrupt rows.
   */
  async loadOrCreate(now: number): Promise<LoadedPgSigningKeys> {
    const rows = await this.#readRows();
    if (!this.#mustWrite(rows, now)) return { ...(await this.#adopt(rows)), event: "loaded" };
    const event = await this.#db.transaction(async () => {
      await lockForTransaction(this.#db, SIGNING_KEYS_LOCK);
      const locked = await this.#readRows();
      if (locked.length > 0) await this.#adopt(locked); // refuses a wrong key before anything is written
      if (!this.#mustWrite(locked, now)) return "loaded" as const;
      const current = locked.find((r) => r.role === "current");
      if (current !== undefined) {
        await this.#db.query(
          "UPDATE signing_keys SET role = 'retired', retired_at = $1, private_key_cipher = NULL, " +
            "private_key_iv = NULL, private_key_tag = NULL WHERE role = 'previous'",
          [now],
        );
        await this.#db.query("UPDATE signing_keys SET role = 'previous' WHERE role = 'current'");
      }
      await this.#insertCurrent(await generateStoredKey(this.#alg ?? current?.alg ?? "EdDSA", now));
      return current === undefined ? ("created" as const) : ("rotated" as const);
    });
    return { ...(await this.#adopt(await this.#readRows())), event };
  }

  /**
   * Re-reads the keys (another instance may have rotated them); never creates or rotates. Resolves
   * to the same object as before when nothing changed. Rejects when the database cannot be read.
   */
  async refresh(): Promise<SigningKeys> {
    return this.#adopt(await this.#readRows());
  }

  #mustWrite(rows: KeyRow[], now: number): boolean {
    const current = rows.find((r) => r.role === "current");
    if (current === undefined) return true;
    return rotationDue({ alg: current.alg, createdAt: current.created_at }, { now, alg: this.#alg, rotateAfterMs: this.#rotateAfterMs });
  }

  async #readRows(): Promise<KeyRow[]> {
    const result = await this.#db.query<KeyRow & Record<string, unknown>>(
      "SELECT kid, alg, created_at, role, private_key_cipher, private_key_iv, private_key_tag " +
        "FROM signing_keys WHERE role IN ('current', 'previous')",
    );
    return result.rows;
  }

  async #insertCurrent(key: StoredKey): Promise<void> {
    const plaintext = Buffer.from(JSON.stringify(key.privateJwk), "utf8");
    const sealed = this.#cipher.seal(key.kid, plaintext);
    plaintext.fill(0);
    await this.#db.query(
      "INSERT INTO signing_keys (kid, alg, created_at, public_jwk, private_key_cipher, private_key_iv, " +
        "private_key_tag, role) VALUES ($1, $2, $3, $4, $5, $6, $7, 'current')",
      [key.kid, key.alg, key.createdAt, JSON.stringify(publicPart(key.privateJwk)), sealed.cipher, sealed.iv, sealed.tag],
    );
  }

  /** Imports the rows (decrypting only new kids), keeps them, and returns them. */
  async #adopt(rows: KeyRow[]): Promise<SigningKeys> {
    const currentRow = rows.find((r) => r.role === "current");
    if (currentRow === undefined) {
      throw new AppError("config_invalid", `${WHERE} has no current signing key (run grantbot once to create it)`);
    }
    const previousRow = rows.find((r) => r.role === "previous");
    const current = await this.#import(currentRow);
    const previous = previousRow === undefined ? null : await this.#import(previousRow);
    const known = this.#keys;
    if (known !== null && known.current.kid === current.kid && (known.previous?.kid ?? null) === (previous?.kid ?? null)) {
      return known;
    }
    this.#imported = new Map([current, previous].filter((k): k is SigningKey => k !== null).map((k) => [k.kid, k]));
    this.#keys = Object.freeze({ current, previous });
    return this.#keys;
  }

  async #import(row: KeyRow): Promise<SigningKey> {
    const known = this.#imported.get(row.kid);
    if (known !== undefined) return known;
    const plaintext = this.#cipher.open(row.kid, {
      cipher: row.private_key_cipher,
      iv: row.private_key_iv,
      tag: row.private_key_tag,
    });
    let privateJwk: StoredKey["privateJwk"] | undefined;
    try {
      const parsed = privateJwkSchema.safeParse(JSON.parse(plaintext.toString("utf8")));
      if (parsed.success) privateJwk = parsed.data;
    } catch {
      // not JSON: reported below, without the text
    } finally {
      plaintext.fill(0);
    }
    if (privateJwk === undefined) throw new AppError("config_invalid", `${WHERE} holds a key (kid ${row.kid}) that does not parse`);
    return importStoredKey({ kid: row.kid, alg: row.alg, createdAt: row.created_at, privateJwk }, WHERE);
  }
}
