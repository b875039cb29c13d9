/**
 * Cluster duties (directory poll, GitHub poll, reconcile, stale-request sweep, key rotation) run
 * on one instance at a time: the one whose dedicated connection holds the SESSION advisory lock
 * `grantbot.leader`. The lock lives as long as that session; when the leader process dies its
 * connection closes, the server releases the lock, and the next `tick()` of another instance takes
 * it. A leader that only lost its network is dropped by the server within ~25 s (keepalives, see
 * DedicatedConnection) and stops believing it leads at its next tick (the check query times out).
 *
 * Between ticks an instance acts on what the last tick saw, so two instances can overlap for up to
 * one tick (the old leader's session was dropped, the new one acquired, the old one has not ticked
 * yet): duties must stay idempotent, as every grantbot side effect is.
 */
import { DedicatedConnection } from "./dedicated-connection.ts";

export const LEADER_LOCK = "grantbot.leader";

export interface PgLeadershipOptions {
  url: string;
  /** Lock name (default `grantbot.leader`; hashed to a bigint with hashtextextended). */
  lockName?: string;
  applicationName?: string;
  /** A check unanswered after this long counts as a lost connection (default 5 s). */
  queryTimeoutMs?: number;
  /** Connection problems, for the log (the next tick recovers). */
  onError?(error: Error): void;
}

export class PgLeadership {
  private connection: DedicatedConnection | null = null;
  private leader = false;
  private closed = false;
  private inFlight: Promise<boolean> | null = null;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private readonly lockName: string;

  constructor(private readonly options: PgLeadershipOptions) {
    this.lockName = options.lockName ?? LEADER_LOCK;
  }

  /** Whether this instance led at the last tick (false as soon as its connection is known lost). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Calls `cb(isLeader)` on every change. Returns an unsubscribe function. */
  onChange(cb: (leader: boolean) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * Not leader: connects if needed and tries to take the lock (never waits for it). Leader: checks
   * the connection still answers. Any error: not leader, and the connection is dropped and
   * re-opened at the next tick. Concurrent calls share one check. Returns isLeader.
   */
  tick(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.inFlight ??= this.check().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Releases the lock (another instance takes it at its next tick) and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.inFlight?.catch(() => undefined);
    const connection = this.connection;
    this.connection = null;
    if (connection?.alive && this.leader) {
      await connection.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [this.lockName]).catch(() => undefined);
    }
    this.setLeader(false);
    await connection?.close(); // ending the session releases the lock anyway
  }

  private async check(): Promise<boolean> {
    try {
      if (!this.connection?.alive) await this.reconnect();
      const connection = this.connection;
      if (!connection) return false; // closed meanwhile
      if (this.leader) {
        await connection.query("SELECT 1");
      } else {
        const { rows } = await connection.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [this.lockName]);
        if (this.closed) return false;
        this.setLeader(rows[0]?.ok === true);
      }
    } catch (error) {
      this.options.onError?.(error as Error);
      await this.drop();
    }
    return this.leader;
  }

  private async reconnect(): Promise<void> {
    await this.drop();
    let opened: DedicatedConnection | null = null;
    opened = await DedicatedConnection.open({
      url: this.options.url,
      applicationName: this.options.applicationName ?? "grantbot:leadership",
      queryTimeoutMs: this.options.queryTimeoutMs,
      onLost: (error) => {
        if (this.connection !== opened) return;
        this.options.onError?.(error);
        void this.drop();
      },
    });
    if (this.closed) await opened.close();
    else this.connection = opened;
  }

  /** Not leader any more; the old session is closed (releasing the lock if the server still had it). */
  private async drop(): Promise<void> {
    this.setLeader(false);
    const connection = this.connection;
    this.connection = null;
    await connection?.close();
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const cb of this.listeners) cb(leader);
  }
}
