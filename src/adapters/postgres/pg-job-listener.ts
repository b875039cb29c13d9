/**
 * Wake-ups across instances: LISTEN `grantbot_jobs` on a dedicated connection and pass each
 * enqueued job's runAt to `onJob`, so this instance's runner can arm its timer earlier when another
 * instance queued an earlier job. A notification is a hint, never the only path: the runner still
 * reads `nextWakeAt()` after every claim, and after a reconnect (`onReconnect`), because
 * notifications sent while the connection was down are lost.
 *
 * The connection is checked by a cheap query every `pingMs`; when it drops (server restart,
 * failover, pg_terminate_backend) it is re-opened with exponential backoff with full jitter.
 */
import { backoffDelay } from "../../shared/backoff.ts";
import { DedicatedConnection } from "./dedicated-connection.ts";
import { JOBS_CHANNEL } from "./pg-job-queue-sql.ts";

export interface PgJobListenerOptions {
  url: string;
  /** A job was enqueued (committed) somewhere in the cluster, runnable from `runAt` (epoch ms). */
  onJob(runAt: number): void;
  /** The connection came back after a loss: notifications may have been missed. */
  onReconnect?(): void;
  /** Connection problems, for the log (the listener recovers by itself). */
  onError?(error: Error): void;
  applicationName?: string;
  /** Reconnect delays: full jitter over a window from `minMs` doubling up to `maxMs`. */
  backoff?: { minMs?: number; maxMs?: number };
  /** How often the idle connection is checked (default 15 s). */
  pingMs?: number;
}

export class PgJobListener {
  private connection: DedicatedConnection | null = null;
  private closed = false;
  private failures = 0;
  private everListened = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<boolean> | null = null;

  constructor(private readonly options: PgJobListenerOptions) {}

  /**
   * Connects and LISTENs. Resolves true when listening; false when the first attempt failed —
   * it then keeps retrying in the background (`onReconnect` tells when it is back).
   */
  start(): Promise<boolean> {
    return this.connect();
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.connection?.alive ?? false;
  }

  /** Stops listening and closes the connection. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    await this.connecting?.catch(() => undefined);
    const connection = this.connection;
    this.connection = null;
    await connection?.close();
  }

  private connect(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<boolean> {
    let connection: DedicatedConnection | null = null;
    try {
      connection = await DedicatedConnection.open({
        url: this.options.url,
        applicationName: this.options.applicationName ?? "grantbot:listener",
        onLost: (error) => this.lost(connection, error),
      });
      connection.client.on("notification", (message) => {
        if (message.channel !== JOBS_CHANNEL) return;
        const runAt = Number(message.payload);
        if (Number.isFinite(runAt)) this.options.onJob(runAt);
      });
      await connection.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (error) {
      await connection?.close();
      this.options.onError?.(error as Error);
      this.scheduleRetry();
      return false;
    }
    if (this.closed) {
      await connection.close();
      return false;
    }
    this.connection = connection;
    this.failures = 0;
    this.startPing(connection);
    const reconnected = this.everListened;
    this.everListened = true;
    if (reconnected) this.options.onReconnect?.();
    return true;
  }

  private lost(connection: DedicatedConnection | null, error: Error): void {
    if (this.closed || connection === null || this.connection !== connection) return;
    this.options.onError?.(error);
    this.connection = null;
    clearInterval(this.pingTimer);
    void connection.close();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.failures += 1;
    const delay = backoffDelay(this.failures, { baseMs: this.options.backoff?.minMs ?? 200, maxMs: this.options.backoff?.maxMs ?? 5_000 });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private startPing(connection: DedicatedConnection): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      connection.query("SELECT 1").catch((error: Error) => this.lost(connection, error));
    }, this.options.pingMs ?? 15_000);
    this.pingTimer.unref();
  }
}
