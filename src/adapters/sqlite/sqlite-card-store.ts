/**
 * The Slack experience's durable state (services/slack-ports.ts): request card copies, approvals
 * so far, and Home tab users. All writes are idempotent upserts.
 */
import type Database from "better-sqlite3";
import type { CardMessage, ReviewSnapshot } from "../../services/ports/slack.ts";

interface CardRow {
  channel: string;
  ts: string;
  audience: CardMessage["audience"];
  recipient: string | null;
}

interface SnapshotRow {
  approved_by: string;
  changes_requested_by: string;
  required: number;
  checked_at: number;
}

export class SqliteCardStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      messages: db.prepare<[string], CardRow>("SELECT channel, ts, audience, recipient FROM slack_cards WHERE grant_id = ? ORDER BY posted_at, rowid"),
      add: db.prepare(
        `INSERT INTO slack_cards (grant_id, channel, ts, audience, recipient, posted_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (grant_id, channel) DO NOTHING`,
      ),
      reviews: db.prepare<[string], SnapshotRow>("SELECT approved_by, changes_requested_by, required, checked_at FROM review_snapshots WHERE grant_id = ?"),
      saveReviews: db.prepare(
        `INSERT INTO review_snapshots (grant_id, approved_by, changes_requested_by, required, checked_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (grant_id) DO UPDATE SET approved_by = excluded.approved_by,
           changes_requested_by = excluded.changes_requested_by, required = excluded.required, checked_at = excluded.checked_at`,
      ),
    };
  }

  messages(grantId: string): CardMessage[] {
    return this.stmts.messages.all(grantId).map((r) => ({ channel: r.channel, ts: r.ts, audience: r.audience, recipient: r.recipient }));
  }

  addMessage(grantId: string, message: CardMessage, at: number): void {
    this.stmts.add.run(grantId, message.channel, message.ts, message.audience, message.recipient, at);
  }

  reviews(grantId: string): ReviewSnapshot | null {
    const row = this.stmts.reviews.get(grantId);
    if (!row) return null;
    return {
      approvedBy: JSON.parse(row.approved_by) as string[],
      changesRequestedBy: JSON.parse(row.changes_requested_by) as string[],
      required: row.required,
      checkedAt: row.checked_at,
    };
  }

  saveReviews(grantId: string, s: ReviewSnapshot): void {
    this.stmts.saveReviews.run(grantId, JSON.stringify(s.approvedBy), JSON.stringify(s.changesRequestedBy), s.required, s.checkedAt);
  }
}

export class SqliteHomeUsers {
  private readonly getStmt: Database.Statement<[string], string>;
  private readonly getManyStmt: Database.Statement<[string], { email: string; user_id: string }>;
  private readonly upsert: Database.Statement;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare<[string], string>("SELECT user_id FROM slack_home_users WHERE email = ?").pluck();
    this.getManyStmt = db.prepare("SELECT email, user_id FROM slack_home_users WHERE email IN (SELECT value FROM json_each(?))");
    this.upsert = db.prepare(
      `INSERT INTO slack_home_users (email, user_id, opened_at) VALUES (?, ?, ?)
       ON CONFLICT (email) DO UPDATE SET user_id = excluded.user_id, opened_at = excluded.opened_at`,
    );
  }

  get(email: string): string | null {
    return this.getStmt.get(email.toLowerCase()) ?? null;
  }

  /** Lower-cased email -> Slack user id, for those of `emails` who opened the tab. */
  getMany(emails: readonly string[]): Map<string, string> {
    if (emails.length === 0) return new Map();
    const rows = this.getManyStmt.all(JSON.stringify(emails.map((email) => email.toLowerCase())));
    return new Map(rows.map((row) => [row.email, row.user_id]));
  }

  remember(email: string, userId: string, at: number): void {
    this.upsert.run(email.toLowerCase(), userId, at);
  }
}
