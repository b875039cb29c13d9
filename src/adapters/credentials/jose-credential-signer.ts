/**
 * Issues and verifies grantbot credentials: compact JWS JWTs signed with the current key
 * (header `{ alg, kid, typ: "JWT" }`), with the claims PRODUCT.md promises:
 * `iss` (GRANTBOT_PUBLIC_URL), `sub`, `aud`, `scope` (space-separated), `grant_id`, `jti`,
 * `iat`, `nbf` (= iat) and `exp` (the grant's expiry).
 *
 * Seconds, not milliseconds: JWT times are whole seconds, grant times are milliseconds. `exp` is
 * `floor(expiresAt / 1000)`, so a credential may stop verifying up to 999 ms *before* its grant
 * ends, never after it. `iat`/`nbf` are `floor(issuedAt / 1000)`, so a fresh token is valid at once.
 */
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from "jose";
import { AppError } from "../../domain/errors.ts";
import type { Clock, CredentialClaims, CredentialSigner } from "../../services/ports/index.ts";
import type { SigningKey, SigningKeys } from "./key-store.ts";

/** Longer than any token grantbot issues; anything bigger is rejected before parsing. */
const MAX_TOKEN_LENGTH = 8192;
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "jti", "iat", "nbf", "exp", "grant_id", "scope"];

export interface JoseCredentialSignerOptions {
  keys: SigningKeys;
  /** GRANTBOT_PUBLIC_URL, used verbatim as `iss`. */
  issuer: string;
  clock: Clock;
}

export class JoseCredentialSigner implements CredentialSigner {
  readonly #issuer: string;
  readonly #clock: Clock;
  #keys!: SigningKeys;
  #jwks!: { keys: JWK[] };
  #keySet!: ReturnType<typeof createLocalJWKSet>;

  constructor(opts: JoseCredentialSignerOptions) {
    if (!opts.issuer) throw new AppError("config_invalid", "the credential issuer (GRANTBOT_PUBLIC_URL) is empty");
    this.#issuer = opts.issuer;
    this.#clock = opts.clock;
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
      const { payload } = await jwtVerify(token, this.#keySet, {
        issuer: this.#issuer,
        typ: "JWT",
        algorithms: ["EdDSA", "ES256"],
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: new Date(this.#clock.now()),
      });
      return { ...payload };
    } catch {
      return null;
    }
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
