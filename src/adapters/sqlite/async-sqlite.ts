/**
 * The asynchronous face of the SQLite stores. Store ports are async (PostgreSQL answers over the
 * network); better-sqlite3 is synchronous. `SqliteAsyncTransactor` runs an async transaction body
 * on the one connection and `asyncStore` gives each synchronous store the async port shape.
 *
 * Isolation on one connection: while a transaction body awaits, other async work of this process
 * could run a statement on the same connection — inside that open transaction. So every store
 * call made outside the open transaction's async context (AsyncLocalStorage) waits until it
 * commits; calls inside it run at once. Transaction bodies only await store calls (no network),
 * so the wait is microseconds.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db } from "./database.ts";
import type { AsyncPort } from "../postgres/async-port.ts";

/** One open transaction; `open` turns false when it ends (contexts that outlive it see "outside"). */
interface Ambient {
  savepoints: number;
  open: boolean;
}

export class SqliteAsyncTransactor {
  private readonly ambient = new AsyncLocalStorage<Ambient>();
  /** Resolves when the open transaction (if any) ends; null when none is open. */
  private open: Promise<void> | null = null;

  constructor(readonly db: Db) {}

  /** True when a call from this async context must wait for another context's transaction. */
  mustWait(): boolean {
    return this.open !== null && this.current() === undefined;
  }

  /** The transaction of this async context, if it is still open. */
  private current(): Ambient | undefined {
    const tx = this.ambient.getStore();
    return tx?.open ? tx : undefined;
  }

  /** Waits until no transaction of another async context is open. */
  async outside(): Promise<void> {
    while (this.mustWait()) await this.open;
  }

  /**
   * Runs `fn` in an immediate transaction (a savepoint when nested). `durable: false` commits with
   * `synchronous = NORMAL` (survives a killed process, not a power loss: job bookkeeping only).
   */
  async transaction<T>(fn: () => Promise<T>, options: { durable?: boolean } = {}): Promise<T> {
    const outer = this.current();
    if (outer) return this.savepoint(outer, fn);
    await this.outside();
    let release!: () => void;
    this.open = new Promise<void>((resolve) => (release = resolve));
    const relaxed = options.durable === false && !this.db.memory;
    try {
      if (relaxed) this.db.pragma("synchronous = NORMAL");
      this.db.exec("BEGIN IMMEDIATE");
      const ambient: Ambient = { savepoints: 0, open: true };
      try {
        const result = await this.ambient.run(ambient, fn);
        ambient.open = false;
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        ambient.open = false;
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      if (relaxed) this.db.pragma("synchronous = FULL");
      this.open = null;
      release();
    }
  }

  private async savepoint<T>(outer: Ambient, fn: () => Promise<T>): Promise<T> {
    outer.savepoints += 1;
    const name = `asp_${outer.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn();
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw error;
    }
  }
}

/**
 * `impl`'s methods as async ones that respect the transactor's isolation. Methods named in `sync`
 * stay synchronous (in-memory hot paths such as recording one use).
 */
export function asyncStore<T extends object>(impl: T, tx: SqliteAsyncTransactor): AsyncPort<T>;
export function asyncStore<T extends object, S extends keyof T>(impl: T, tx: SqliteAsyncTransactor, sync: readonly S[]): AsyncPort<Omit<T, S>> & Pick<T, S>;
export function asyncStore<T extends object>(impl: T, tx: SqliteAsyncTransactor, sync?: readonly (keyof T)[]): unknown {
  const wrapped: Record<string | symbol, unknown> = {};
  let proto: object | null = impl;
  const seen = new Set<string | symbol>(["constructor"]);
  while (proto && proto !== Object.prototype) {
    for (const key of Reflect.ownKeys(proto)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const value = (impl as Record<string | symbol, unknown>)[key];
      if (typeof value !== "function") continue;
      const method = value as (...args: unknown[]) => unknown;
      if (((sync ?? []) as readonly (string | symbol)[]).includes(key)) {
        wrapped[key] = method.bind(impl);
        continue;
      }
      wrapped[key] = (...args: unknown[]) => {
        if (!tx.mustWait()) {
          try {
            return Promise.resolve(method.apply(impl, args));
          } catch (error) {
            return Promise.reject(error);
          }
        }
        return tx.outside().then(() => method.apply(impl, args));
      };
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return wrapped;
}
