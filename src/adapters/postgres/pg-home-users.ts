/**
 * People who opened grantbot's Home tab (`slack_home_users`) on PostgreSQL; same behaviour as
 * SqliteHomeUsers: keyed by lower-cased email, the latest opening wins.
 */
import type { HomeUsers } from "../../services/ports/slack.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

export class PgHomeUsers implements AsyncPort<HomeUsers> {
  constructor(private readonly db: Queryable) {}

  /** The Slack user id of the person with this email (matched lower-cased) who opened the tab, or null. */
  async get(email: string): Promise<string | null> {
    const { rows } = await this.db.query<{ user_id: string }>("SELECT user_id FROM slack_home_users WHERE email = $1", [email.toLowerCase()]);
    return rows[0]?.user_id ?? null;
  }

  /** `get` for many emails in one statement: lower-cased email -> Slack user id, for those who opened the tab. */
  async getMany(emails: readonly string[]): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const { rows } = await this.db.query<{ email: string; user_id: string }>(
      "SELECT email, user_id FROM slack_home_users WHERE email = ANY($1::text[])",
      [emails.map((email) => email.toLowerCase())],
    );
    return new Map(rows.map((row) => [row.email, row.user_id]));
  }

  /** Records (or refreshes) that `userId` (email `email`) opened the tab. Idempotent. */
  async remember(email: string, userId: string, at: number): Promise<void> {
    await this.db.query(
      `INSERT INTO slack_home_users (email, user_id, opened_at) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO UPDATE SET user_id = excluded.user_id, opened_at = excluded.opened_at`,
      [email.toLowerCase(), userId, at],
    );
  }
}
