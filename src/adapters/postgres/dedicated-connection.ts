/**
 * One long-lived PostgreSQL connection of its own, outside the pool, for what lives on a session:
 * LISTEN (PgJobListener) and the leader's session advisory lock (PgLeadership).
 *
 * Both sides watch the link: the client sends TCP keepalives, and the session asks the server to
 * probe too (tcp_keepalives_*), so a peer that vanished without closing the socket (a partitioned
 * or powered-off host) is dropped by the server within ~25 s — releasing its session locks —
 * instead of the operating system's default two hours.
 */
import pg from "pg";

export interface DedicatedConnectionOptions {
  url: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** A query unanswered after this long fails (and the caller drops the connection). Default 5 s. */
  queryTimeoutMs?: number;
  /** Called once when the connection errors or ends without `close()`. */
  onLost(error: Error): void;
}

/** Server-side probing of an idle session: first probe after 10 s, then every 5 s, 3 misses. */
const SERVER_KEEPALIVES = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3";

export class DedicatedConnection {
  private lost = false;
  private closing = false;
  private opened = false;

  private constructor(readonly client: pg.Client) {}

  /** Connects; rejects (closing what was opened) when the server cannot be reached. */
  static async open(options: DedicatedConnectionOptions): Promise<DedicatedConnection> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: options.queryTimeoutMs ?? 5_000,
      query_timeout: options.queryTimeoutMs ?? 5_000,
    });
    const connection = new DedicatedConnection(client);
    const lose = (error: Error) => {
      if (connection.lost || connection.closing) return;
      connection.lost = true;
      if (connection.opened) options.onLost(error); // a loss while opening fails open() instead
    };
    // Without an 'error' listener a dropped connection would crash the process.
    client.on("error", lose);
    client.on("end", () => lose(new Error("connection ended")));
    try {
      await client.connect();
      await client.query(SERVER_KEEPALIVES);
      if (connection.lost) throw new Error("connection lost while opening");
      connection.opened = true;
    } catch (error) {
      connection.closing = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    return connection;
  }

  /** False once the connection errored or ended. */
  get alive(): boolean {
    return !this.lost && !this.closing;
  }

  /** Runs a parameterised query on this connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(text, values);
  }

  /**
   * Ends the session (the server releases its session locks and LISTENs). Never throws; does not
   * wait longer than `waitMs` for a server that does not answer.
   */
  async close(waitMs = 2_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const ended = this.client.end().catch(() => undefined);
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([ended, gaveUp]);
    clearTimeout(timer);
  }
}
