/**
 * Issued credentials (JWT ids), so introspection can answer `active:false` the moment a grant
 * ends even though the JWT itself has not expired yet.
 */
import type Database from "better-sqlite3";
import type { CredentialRecord } from "../../services/ports/index.ts";

interface CredentialRow {
  jti: string;
  grant_id: string;
  subject: string;
  audience: string;
  scope: string;
  kid: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
}

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

export class SqliteCredentialStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare<[CredentialRecord]>(
        `INSERT INTO credentials (jti, grant_id, subject, audience, scope, kid, issued_at, expires_at, revoked_at)
         VALUES (@jti, @grantId, @subject, @audience, @scope, @kid, @issuedAt, @expiresAt, @revokedAt)
         ON CONFLICT (jti) DO NOTHING`,
      ),
      get: db.prepare<[string], CredentialRow>("SELECT * FROM credentials WHERE jti = ?"),
      forGrant: db.prepare<[string], CredentialRow>("SELECT * FROM credentials WHERE grant_id = ? ORDER BY issued_at, jti"),
      revoke: db.prepare<[number, string]>(
        "UPDATE credentials SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
      ),
      revokeMany: db.prepare<[number, string], string>(
        "UPDATE credentials SET revoked_at = ? WHERE grant_id IN (SELECT value FROM json_each(?)) AND revoked_at IS NULL RETURNING grant_id",
      ).pluck(),
    };
  }

  /**
   * Idempotent on jti: a second insert of the same jti keeps the first record. The grant must
   * exist (foreign key): a credential is only ever issued for a stored grant.
   */
  insert(record: CredentialRecord): void {
    this.stmts.insert.run(record);
  }

  get(jti: string): CredentialRecord | null {
    const row = this.stmts.get.get(jti);
    return row ? rowToRecord(row) : null;
  }

  forGrant(grantId: string): CredentialRecord[] {
    return this.stmts.forGrant.all(grantId).map(rowToRecord);
  }

  revokeForGrant(grantId: string, at: number): number {
    return this.stmts.revoke.run(at, grantId).changes;
  }

  /** Per grant id, how many unrevoked credentials it revoked (grants with none are absent). */
  revokeForGrants(grantIds: readonly string[], at: number): Map<string, number> {
    const counts = new Map<string, number>();
    if (grantIds.length === 0) return counts;
    for (const grantId of this.stmts.revokeMany.all(at, JSON.stringify(grantIds))) counts.set(grantId, (counts.get(grantId) ?? 0) + 1);
    return counts;
  }
}
