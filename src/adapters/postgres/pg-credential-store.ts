/**
 * Issued credentials (JWT ids) on PostgreSQL, so introspection on any instance answers
 * `active:false` the moment a grant ends. Same semantics as the SQLite store.
 */
import type { CredentialRecord, CredentialStore } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type CredentialRow = {
  jti: string;
  grant_id: string;
  subject: string;
  audience: string;
  scope: string;
  kid: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
};

function rowToRecord(row: CredentialRow): CredentialRecord {
  return {
    jti: row.jti,
    grantId: row.grant_id,
    subject: row.subject,
    audience: row.audience,
    scope: row.scope,
    kid: row.kid,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * `revokeForGrants` in one statement: `$1` at, `$2` grant ids. The unrevoked credentials are
 * locked in jti order first (an InitPlan, `ARRAY(…)`, runs before the UPDATE scans), so two
 * instances revoking overlapping sets of grants wait on each other in one order instead of
 * deadlocking; a credential the other revoked meanwhile fails the re-checked `revoked_at IS NULL`.
 */
const REVOKE_FOR_GRANTS_SQL = `
WITH locked AS (
  SELECT jti FROM credentials WHERE grant_id = ANY($2::text[]) AND revoked_at IS NULL
  ORDER BY jti COLLATE "C"
  FOR UPDATE)
UPDATE credentials SET revoked_at = $1
WHERE jti = ANY(ARRAY(SELECT jti FROM locked)) AND revoked_at IS NULL
RETURNING grant_id`;

export class PgCredentialStore implements AsyncPort<CredentialStore> {
  constructor(private readonly db: Queryable) {}

  /**
   * Idempotent on jti: a second insert of the same jti keeps the first record. The grant must
   * exist (foreign key violation, code 23503, otherwise).
   */
  async insert(record: CredentialRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO credentials (jti, grant_id, subject, audience, scope, kid, issued_at, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (jti) DO NOTHING`,
      [record.jti, record.grantId, record.subject, record.audience, record.scope, record.kid, record.issuedAt, record.expiresAt, record.revokedAt],
    );
  }

  /** The credential with this JWT id, or null. */
  async get(jti: string): Promise<CredentialRecord | null> {
    const { rows } = await this.db.query<CredentialRow>("SELECT * FROM credentials WHERE jti = $1", [jti]);
    return rows[0] ? rowToRecord(rows[0]) : null;
  }

  /** The credentials of a grant, in issue order (ties by jti, byte order). */
  async forGrant(grantId: string): Promise<CredentialRecord[]> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT * FROM credentials WHERE grant_id = $1 ORDER BY issued_at, jti COLLATE "C"`,
      [grantId],
    );
    return rows.map(rowToRecord);
  }

  /**
   * Marks every unrevoked credential of the grant revoked at `at`; returns how many. Concurrent
   * calls (two instances) count each credential once: the second waits for the first's row locks
   * and then finds them revoked.
   */
  async revokeForGrant(grantId: string, at: number): Promise<number> {
    const result = await this.db.query("UPDATE credentials SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL", [at, grantId]);
    return result.rowCount ?? 0;
  }

  /**
   * `revokeForGrant` for many grants in one statement: per grant id, how many credentials it
   * revoked (grants with none to revoke are absent). Concurrent calls count each credential once.
   */
  async revokeForGrants(grantIds: readonly string[], at: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (grantIds.length === 0) return counts;
    const { rows } = await this.db.query<{ grant_id: string }>(REVOKE_FOR_GRANTS_SQL, [at, [...grantIds]]);
    for (const { grant_id: grantId } of rows) counts.set(grantId, (counts.get(grantId) ?? 0) + 1);
    return counts;
  }
}
