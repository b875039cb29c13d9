/**
 * Where each request card was posted and the approvals so far (`slack_cards`, `review_snapshots`)
 * on PostgreSQL; same behaviour as SqliteCardStore. Writes are single-statement upserts, so two
 * instances recording the same copy or snapshot at once leave one row.
 */
import type { CardMessage, CardStore, ReviewSnapshot } from "../../services/ports/slack.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

type CardRow = {
  channel: string;
  ts: string;
  audience: CardMessage["audience"];
  recipient: string | null;
};

type SnapshotRow = {
  approved_by: string[];
  changes_requested_by: string[];
  required: number;
  checked_at: number;
};

export class PgCardStore implements AsyncPort<CardStore> {
  constructor(private readonly db: Queryable) {}

  /** Every posted copy of the grant's card, oldest first (posting time, then insertion order). */
  async messages(grantId: string): Promise<CardMessage[]> {
    const { rows } = await this.db.query<CardRow>("SELECT channel, ts, audience, recipient FROM slack_cards WHERE grant_id = $1 ORDER BY posted_at, seq", [grantId]);
    return rows.map((r) => ({ channel: r.channel, ts: r.ts, audience: r.audience, recipient: r.recipient }));
  }

  /** Records a posted copy. Idempotent per (grant, channel): a second call changes nothing. */
  async addMessage(grantId: string, message: CardMessage, at: number): Promise<void> {
    await this.db.query(
      `INSERT INTO slack_cards (grant_id, channel, ts, audience, recipient, posted_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (grant_id, channel) DO NOTHING`,
      [grantId, message.channel, message.ts, message.audience, message.recipient, at],
    );
  }

  /** The last snapshot saved for the grant, or null. */
  async reviews(grantId: string): Promise<ReviewSnapshot | null> {
    const { rows } = await this.db.query<SnapshotRow>("SELECT approved_by, changes_requested_by, required, checked_at FROM review_snapshots WHERE grant_id = $1", [grantId]);
    const row = rows[0];
    if (!row) return null;
    return { approvedBy: row.approved_by, changesRequestedBy: row.changes_requested_by, required: row.required, checkedAt: row.checked_at };
  }

  /** Replaces the grant's snapshot (upsert). */
  async saveReviews(grantId: string, s: ReviewSnapshot): Promise<void> {
    await this.db.query(
      `INSERT INTO review_snapshots (grant_id, approved_by, changes_requested_by, required, checked_at) VALUES ($1, $2::jsonb, $3::jsonb, $4, $5)
       ON CONFLICT (grant_id) DO UPDATE SET approved_by = excluded.approved_by,
         changes_requested_by = excluded.changes_requested_by, required = excluded.required, checked_at = excluded.checked_at`,
      [grantId, JSON.stringify(s.approvedBy), JSON.stringify(s.changesRequestedBy), s.required, s.checkedAt],
    );
  }
}
