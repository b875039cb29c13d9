/**
 * Seen webhook / push delivery ids on PostgreSQL (GitHub X-GitHub-Delivery, directory hook
 * signatures, Slack retries). The primary key (source, id) with `ON CONFLICT DO NOTHING` decides
 * which of several instances receiving the same delivery processes it: exactly one insert wins.
 */
import type { DeliveryLog } from "../../services/ports/index.ts";
import type { AsyncPort } from "./async-port.ts";
import type { Queryable } from "./pg-database.ts";

export class PgDeliveryLog implements AsyncPort<DeliveryLog> {
  constructor(private readonly db: Queryable) {}

  /** Records a delivery id; true the first time (cluster-wide), false for a replay. */
  async firstSeen(source: string, id: string, at: number): Promise<boolean> {
    const result = await this.db.query(
      "INSERT INTO deliveries (source, id, received_at) VALUES ($1, $2, $3) ON CONFLICT (source, id) DO NOTHING",
      [source, id, at],
    );
    return result.rowCount === 1;
  }

  /** Forgets deliveries received before `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const result = await this.db.query("DELETE FROM deliveries WHERE received_at < $1", [before]);
    return result.rowCount ?? 0;
  }
}
