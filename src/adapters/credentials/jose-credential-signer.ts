/**
 * Issues and verifies grantbot credentials: compact JWS JWTs signed with the current key
 * (header `{ alg, kid, typ: "JWT" }`), with the claims PRODUCT.md promises:
 * `iss` (GRANTBOT_PUBLIC_URL), `sub`, `aud`, `scope` (space-separated), `grant_id`, `jti`,
 * `iat`, `nbf` (= iat) and `exp` (the grant's expiry).
 *
 * Seconds, not milliseconds: JWT times are whole seconds, grant times are milliseconds. `exp` is
 * `floor(expiresAt / 1000)`, so a credential may stop verifying up to 999 ms *before* its grant
 * ends, never after it. `iat`/`nbf` are `floor(issuedAt / 1000)`, so a fresh token is valid at once.
 *
 * Several instances sharing one key store (PostgreSQL): give the signer a `source`. `refresh()`
 * (called periodically) re-reads it; a token whose `kid` is unknown here (another instance rotated
 * a moment ago) triggers one refresh and a second verification, at most once per
 * `unknownKidRefreshMs`, so a flood of made-up kids costs at most one store read per interval.
 */
import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JWK } from "jose";
import { AppError } from "../../domain/errors.ts";
import type { Clock, CredentialClaims, CredentialSigner } from "../../services/ports/index.ts";
import type { SigningKey, SigningKeys } from "./key-store.ts";

/** Longer than any token grantbot issues; anything bigger is rejected before parsing. */
const MAX_TOKEN_LENGTH = 8192;
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "jti", "iat", "nbf", "exp", "grant_id", "scope"];
const DEFAULT_UNKNOWN_KID_REFRESH_MS = 5_000;

/** A key store whose keys another process may change (e.g. rotate) while this one runs. */
export interface SigningKeySource {
  /**
   * Re-reads the keys. Resolves to the keys now in force (the same object when nothing changed);
   * rejects when the store cannot be read (the signer then keeps its keys).
   */
  refresh(): Promise<SigningKeys>;
}

export interface JoseCredentialSignerOptions {
  keys: SigningKeys;
  /** GRANTBOT_PUBLIC_URL, used verbatim as `iss`. */
  issuer: string;
  clock: Clock;
  /** Where to re-read the keys on `refresh()` and on an unknown kid. Without it the keys change only by `useKeys`. */
  source?: SigningKeySource;
  /** Minimum time (ms, on `clock`) between two refreshes caused by unknown kids. Default 5000. */
  unknownKidRefreshMs?: number;
}

export class JoseCredentialSigner implements CredentialSigner {
  readonly #issuer: string;
  readonly #clock: Clock;
  readonly #source: SigningKeySource | null;
  readonly #unknownKidRefreshMs: number;
  #lastUnknownKidRefresh = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<boolean> | null = null;
  #keys!: SigningKeys;
  #jwks!: { keys: JWK[] };
  #keySet!: ReturnType<typeof createLocalJWKSet>;

  constructor(opts: JoseCredentialSignerOptions) {
    if (!opts.issuer) throw new AppError("config_invalid", "the credential issuer (GRANTBOT_PUBLIC_URL) is empty");
    this.#issuer = opts.issuer;
    this.#clock = opts.clock;
    this.#source = opts.source ?? null;
    this.#unknownKidRefreshMs = opts.unknownKidRefreshMs ?? DEFAULT_UNKNOWN_KID_REFRESH_MS;
    this.useKeys(opts.keys);
  }

  /** The kid new credentials are signed with. */
  get currentKid(): string {
    return this.#keys.current.kid;
  }

  /** Switches to a freshly loaded/rotated key set (see loadOrCreateSigningKeys) without a restart. */
  useKeys(keys: SigningKeys): void {
    this.#keys = keys;
    const published = [keys.current, keys.previous].filter((k): k is SigningKey => k !== null);
    this.#jwks = { keys: published.map(publicJwkOf) };
    this.#keySet = createLocalJWKSet({ keys: this.#jwks.keys.map((k) => ({ ...k })) });
  }

  /**
   * Re-reads the keys from `source` and switches to them when they changed; resolves to whether
   * they did. Concurrent calls share one read. Rejects when the source cannot be read (keys kept).
   */
  refresh(): Promise<boolean> {
    const source = this.#source;
    if (source === null) return Promise.resolve(false);
    this.#refreshing ??= source
      .refresh()
      .then((keys) => {
        const changed = keys.current.kid !== this.#keys.current.kid || keys.previous?.kid !== this.#keys.previous?.kid;
        if (changed) this.useKeys(keys);
        return changed;
      })
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  async sign(claims: CredentialClaims): Promise<{ token: string; kid: string }> {
    if (!(claims.expiresAt > claims.issuedAt)) {
      throw new AppError("internal", `credential ${claims.jti} would expire before it is issued`);
    }
    const { current } = this.#keys;
    const iat = Math.floor(claims.issuedAt / 1000);
    const payload = {
      iss: this.#issuer,
      sub: claims.subject,
      aud: claims.audience,
      scope: claims.scope,
      grant_id: claims.grantId,
      jti: claims.jti,
      iat,
      nbf: iat,
      exp: Math.floor(claims.expiresAt / 1000),
    };
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: current.alg, kid: current.kid, typ: "JWT" })
      .sign(current.privateKey);
    return { token, kid: current.kid };
  }

  /**
   * Checks the signature against the current and previous key, `iss`, `typ`, and `nbf`/`exp`
   * at the injected clock's time. Returns the payload, or null for any bad token (never throws).
   */
  async verify(token: string): Promise<Record<string, unknown> | null> {
    if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    try {
      return await this.#verifyOnce(token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !(await this.#refreshForUnknownKid())) return null;
      try {
        return await this.#verifyOnce(token);
      } catch {
        return null;
      }
    }
  }

  /** One refresh per `unknownKidRefreshMs` at most (joining one in flight); true when the keys changed. */
  async #refreshForUnknownKid(): Promise<boolean> {
    if (this.#source === null) return false;
    if (this.#refreshing === null) {
      const now = this.#clock.now();
      if (now - this.#lastUnknownKidRefresh < this.#unknownKidRefreshMs) return false;
      this.#lastUnknownKidRefresh = now;
    }
    try {
      return await this.refresh();
    } catch {
      return false; // the store is unreachable: the token stays unverified, as any unknown kid
    }
  }

  /** Throws jose's errors (JWKSNoMatchingKey for an unknown kid). */
  async #verifyOnce(token: string): Promise<Record<string, unknown>> {
    const { payload } = await jwtVerify(token, this.#keySet, {
      issuer: this.#issuer,
      typ: "JWT",
      algorithms: ["EdDSA", "ES256"],
      requiredClaims: REQUIRED_CLAIMS,
      currentDate: new Date(this.#clock.now()),
    });
    return { ...payload };
  }

  /** `GET /.well-known/jwks.json`: public keys only (current first), each with kid, alg, use. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: this.#jwks.keys.map((k) => ({ ...k })) };
  }
}

function publicJwkOf(key: SigningKey): JWK {
  const { kty, crv, x, y } = key.publicJwk;
  const jwk: JWK = { kty, crv, x };
  if (y !== undefined) jwk.y = y;
  return { ...jwk, kid: key.kid, alg: key.alg, use: "sig" };
}
