/**
 * The PostgreSQL table of the credential issuer's signing keys, shared by every instance
 * (see pg-key-store.ts). Part of PostgreSQL migration 1.
 *
 * - `kid` is the RFC 7638 thumbprint of `public_jwk` (public members only: kty, crv, x, y).
 * - The private JWK is stored only encrypted: AES-256-GCM under GRANTBOT_KEY_ENCRYPTION_KEY, a
 *   random 12-byte IV per key, the 16-byte tag beside it, and the kid as additional authenticated
 *   data (a row's ciphertext moved to another kid does not decrypt).
 * - `role`: `current` signs, `previous` still verifies and is published, `retired` does neither and
 *   has its private key wiped (the row stays so an old kid can be told apart from an unknown one).
 *   At most one current and one previous, enforced by partial unique indexes.
 * - Times are epoch milliseconds.
 */
export const PG_SCHEMA_KEYS = `
CREATE TABLE signing_keys (
  kid                TEXT PRIMARY KEY,
  alg                TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256')),
  created_at         BIGINT NOT NULL,
  public_jwk         JSONB NOT NULL,
  private_key_cipher BYTEA,
  private_key_iv     BYTEA CHECK (octet_length(private_key_iv) = 12),
  private_key_tag    BYTEA CHECK (octet_length(private_key_tag) = 16),
  role               TEXT NOT NULL CHECK (role IN ('current', 'previous', 'retired')),
  retired_at         BIGINT,
  CHECK (role = 'retired' OR (private_key_cipher IS NOT NULL AND private_key_iv IS NOT NULL AND private_key_tag IS NOT NULL)),
  CHECK ((role = 'retired') = (retired_at IS NOT NULL))
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (role) WHERE role = 'current';
CREATE UNIQUE INDEX signing_keys_one_previous ON signing_keys (role) WHERE role = 'previous';
`;
