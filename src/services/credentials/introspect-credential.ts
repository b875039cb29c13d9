/**
 * RFC 7662 token introspection for grantbot credentials (`POST /oauth/introspect`).
 *
 * A credential is active only while every one of these holds at the clock's `now`:
 * the signature verifies with a key grantbot publishes (issuer and time claims included),
 * grantbot issued that `jti` for that grant, the credential is not revoked, `now < exp`, and
 * the grant is `active` with `expiresAt > now`. The grant check is what makes a credential go
 * inactive the moment its grant ends, even before any revocation job has run.
 *
 * An active answer is a use of the grant (first/last use and count, see UsageLog).
 *
 * Anything else answers exactly `{ active: false }`: RFC 7662 §2.2 says nothing about an inactive
 * token should be revealed, so the caller cannot tell "expired" from "forged".
 */
import type { Clock, CredentialSigner, CredentialStore, GrantStore, UsageLog } from "../ports/index.ts";

export interface IntrospectionDeps {
  signer: CredentialSigner;
  credentials: CredentialStore;
  grants: GrantStore;
  clock: Clock;
  /**
   * Records each active answer as a use of the grant (issue 15). An in-memory update, flushed to
   * SQLite in batches, so the hot path gains no write. Absent: use is not recorded.
   */
  usage?: Pick<UsageLog, "record">;
}

export type IntrospectionResult =
  | { active: false }
  | {
      active: true;
      iss: string;
      sub: string;
      aud: string | string[];
      scope: string;
      grant_id: string;
      jti: string;
      iat: number;
      nbf: number;
      exp: number;
      token_type: "Bearer";
    };

const INACTIVE = Object.freeze({ active: false as const });

/**
 * Never throws for a bad token; store failures propagate (the HTTP layer answers 5xx, which a
 * resource server must treat as "not active").
 */
export async function introspectCredential(deps: IntrospectionDeps, token: string): Promise<IntrospectionResult> {
  const payload = await deps.signer.verify(token);
  if (payload === null) return { ...INACTIVE };

  const { iss, sub, aud, scope, grant_id, jti, iat, nbf, exp } = payload;
  if (
    typeof iss !== "string" ||
    typeof sub !== "string" ||
    !(typeof aud === "string" || isStringArray(aud)) ||
    typeof scope !== "string" ||
    typeof grant_id !== "string" ||
    typeof jti !== "string" ||
    typeof iat !== "number" ||
    typeof nbf !== "number" ||
    typeof exp !== "number"
  ) {
    return { ...INACTIVE };
  }

  const now = deps.clock.now();
  if (!(now < exp * 1000)) return { ...INACTIVE };

  const record = await deps.credentials.get(jti);
  if (record === null || record.revokedAt !== null) return { ...INACTIVE };
  // The token must be the one grantbot recorded, not a re-signed variant pointing elsewhere.
  if (record.grantId !== grant_id || record.subject !== sub) return { ...INACTIVE };

  const grant = await deps.grants.get(record.grantId);
  if (grant === null || grant.state !== "active" || grant.expiresAt === null || !(grant.expiresAt > now)) {
    return { ...INACTIVE };
  }

  deps.usage?.record(grant.id, now);
  return { active: true, iss, sub, aud, scope, grant_id, jti, iat, nbf, exp, token_type: "Bearer" };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
