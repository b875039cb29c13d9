/**
 * The PostgreSQL connection pool and the Transactor over it.
 *
 * Transactions are ambient: inside `transaction(fn)`, every query any store makes (through
 * `PgDatabase.query`) runs on that transaction's client, found through AsyncLocalStorage — so the
 * services' code is the same on SQLite and PostgreSQL. Nested calls become savepoints.
 *
 * Isolation: READ COMMITTED, as PostgreSQL job queues use it. What keeps concurrent instances
 * correct is explicit, per statement: compare-and-set updates (`UPDATE … WHERE state = ANY(…)`,
 * re-checked by PostgreSQL after the row lock), unique constraints with `ON CONFLICT DO NOTHING`
 * for every de-duplication, and transaction-scoped advisory locks where order matters (the audit
 * chain's appends, job claims with lock keys).
 *
 * `durable: false` commits with `synchronous_commit = off` (job leases and completions only): the
 * commit may be lost if the database server crashes in the next few hundred ms — the same promise
 * the SQLite transactor makes for those writes — never for a revocation.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";

export type Row = Record<string, unknown>;

/** What stores query through: the ambient transaction's client, or the pool. */
export interface Queryable {
  query<R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

interface Ambient {
  client: pg.PoolClient;
  savepoints: number;
  /**
   * False once the transaction ended. Work started inside a transaction body (a timer, a promise
   * left running) keeps the AsyncLocalStorage context after the commit; it must then use the pool,
   * never the released client.
   */
  open: boolean;
  /** Per-transaction buffers (transactionBuffer); a savepoint rolled back truncates them. */
  buffers: Map<symbol, unknown[]>;
  /** Run in order just before COMMIT, inside the transaction (beforeCommit). */
  beforeCommit: Map<symbol, () => Promise<void>>;
}

/** Errors worth retrying a whole transaction for: serialization failure, deadlock detected. */
const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 8;
const INT8_OID = 20;

export interface PgDatabaseOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Shown in pg_stat_activity (e.g. `grantbot:<instance id>`). */
  applicationName?: string;
}

export class PgDatabase implements Queryable {
  readonly pool: pg.Pool;
  private readonly ambient = new AsyncLocalStorage<Ambient>();
  private closed = false;

  constructor(url: string, options: PgDatabaseOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? "grantbot",
      // A connection the server dropped (restart, failover) is an error on that query, not a crash.
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      // Times are epoch milliseconds in BIGINT columns: read them as numbers (exact below 2^53).
      types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser },
    });
    // An idle client losing its connection emits 'error' on the pool; without a listener Node
    // would crash the process. The next query gets a fresh connection.
    this.pool.on("error", () => undefined);
  }

  /** The transaction of this async context, if it is still open. */
  private current(): Ambient | undefined {
    const tx = this.ambient.getStore();
    return tx?.open ? tx : undefined;
  }

  query<R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    const tx = this.current();
    return (tx ? tx.client : this.pool).query<R>(text, values as unknown[] | undefined);
  }

  /** True inside `transaction(fn)` (this async context). */
  get inTransaction(): boolean {
    return this.current() !== undefined;
  }

  /**
   * A buffer that lives as long as this async context's transaction (null outside one): what a
   * store collects to write at commit (see beforeCommit). A savepoint that rolls back puts every
   * buffer back as it was when the savepoint began (entries pushed in it dropped, entries taken
   * out of it to be written restored: those writes were rolled back too); a transaction retried
   * from the start begins with it empty.
   */
  transactionBuffer<T>(key: symbol): T[] | null {
    const tx = this.current();
    if (!tx) return null;
    let buffer = tx.buffers.get(key);
    if (!buffer) tx.buffers.set(key, (buffer = []));
    return buffer as T[];
  }

  /**
   * Runs `hook` inside this transaction just before it commits (once per key, however often it
   * is registered); an error in it rolls the transaction back. Must be called inside one.
   */
  beforeCommit(key: symbol, hook: () => Promise<void>): void {
    const tx = this.current();
    if (!tx) throw new Error("beforeCommit outside a transaction");
    if (!tx.beforeCommit.has(key)) tx.beforeCommit.set(key, hook);
  }

  /**
   * Runs `fn` in one transaction (a savepoint when nested). A serialization failure or deadlock
   * retries the whole of `fn`, so `fn` must only touch the database (no external side effects).
   */
  async transaction<T>(fn: () => Promise<T>, options: { durable?: boolean } = {}): Promise<T> {
    const outer = this.current();
    if (outer) return this.savepoint(outer, fn);
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let broken = false;
      const ambient: Ambient = { client, savepoints: 0, open: true, buffers: new Map(), beforeCommit: new Map() };
      try {
        await client.query("BEGIN");
        if (options.durable === false) await client.query("SET LOCAL synchronous_commit = off");
        const result = await this.ambient.run(ambient, async () => {
          const value = await fn();
          for (const hook of ambient.beforeCommit.values()) await hook();
          return value;
        });
        ambient.open = false;
        await client.query("COMMIT");
        return result;
      } catch (error) {
        ambient.open = false;
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true; // the connection is gone: do not return it to the pool
        }
        const code = (error as { code?: unknown }).code;
        if (typeof code === "string" && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
          continue;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  private async savepoint<T>(outer: Ambient, fn: () => Promise<T>): Promise<T> {
    outer.savepoints += 1;
    const name = `sp_${outer.savepoints}`;
    await outer.client.query(`SAVEPOINT ${name}`);
    const saved = new Map([...outer.buffers].map(([key, buffer]) => [key, buffer.slice()]));
    try {
      const result = await fn();
      await outer.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await outer.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      for (const [key, buffer] of outer.buffers) buffer.splice(0, buffer.length, ...(saved.get(key) ?? []));
      throw error;
    }
  }

  /** Closes every pooled connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * A transaction-scoped advisory lock on `name` (held until the transaction ends): serializes the
 * transactions that take it, cluster-wide. Must be called inside `transaction()`.
 */
export async function lockForTransaction(db: Queryable, name: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [name]);
}
