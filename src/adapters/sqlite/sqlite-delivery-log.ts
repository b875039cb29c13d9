/**
 * Seen webhook / push delivery ids (GitHub X-GitHub-Delivery, directory hook signatures, Slack
 * retries), so a replayed or redelivered event is processed once.
 */
import type Database from "better-sqlite3";

export class SqliteDeliveryLog {
  private readonly insert: Database.Statement<[string, string, number]>;
  private readonly pruneStmt: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      "INSERT INTO deliveries (source, id, received_at) VALUES (?, ?, ?) ON CONFLICT (source, id) DO NOTHING",
    );
    this.pruneStmt = db.prepare("DELETE FROM deliveries WHERE received_at < ?");
  }

  firstSeen(source: string, id: string, at: number): boolean {
    return this.insert.run(source, id, at).changes === 1;
  }

  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
