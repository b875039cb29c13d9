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
}
