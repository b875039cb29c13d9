/**
 * Credentials: the records grantbot keeps of issued JWTs, and the signer.
 */

export interface CredentialRecord {
  jti: string;
  grantId: string;
  subject: string;
  audience: string;
  scope: string;
  kid: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface CredentialStore {
  /** Idempotent on jti. */
  insert(record: CredentialRecord): Promise<void>;
  get(jti: string): Promise<CredentialRecord | null>;
  forGrant(grantId: string): Promise<CredentialRecord[]>;
  /** Sets revokedAt on every unrevoked credential of the grant; returns how many. */
  revokeForGrant(grantId: string, at: number): Promise<number>;
  /**
   * `revokeForGrant` for many grants at once (one statement on PostgreSQL): returns, per grant id,
   * how many credentials it revoked (grants with none to revoke are absent).
   */
  revokeForGrants(grantIds: readonly string[], at: number): Promise<Map<string, number>>;
}

export interface CredentialClaims {
  subject: string;
  audience: string;
  scope: string;
  grantId: string;
  jti: string;
  issuedAt: number; // ms
  expiresAt: number; // ms
}

export interface CredentialSigner {
  /** Signs a JWT with the current key. Deterministic for the same claims and key (EdDSA). */
  sign(claims: CredentialClaims): Promise<{ token: string; kid: string }>;
  /** Verifies signature, issuer and time claims; returns the payload or null. */
  verify(token: string): Promise<Record<string, unknown> | null>;
  /** Public JWKS (current + previous keys). */
  jwks(): { keys: Record<string, unknown>[] };
}
