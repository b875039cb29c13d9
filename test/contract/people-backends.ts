/**
 * Openers for the contract suites of the directory, offboarding, Slack, break-glass, review and
 * usage stores: the same stores on SQLite (the synchronous Sqlite* classes behind asyncStore) and
 * on PostgreSQL (the Pg* classes). `open()` gives a fresh, empty database plus `peer()`: a second
 * instance on the SAME database (another SQLite connection; another PostgreSQL pool), for the
 * tests where two grantbot instances race.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Db } from "../../src/adapters/sqlite/database.ts";
import { SqliteAsyncTransactor } from "../../src/adapters/sqlite/async-sqlite.ts";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.ts";
import { migratePostgres } from "../../src/adapters/postgres/migrations.ts";
import { freshDatabaseUrl } from "../support/postgres.ts";

export type Closable<S> = S & { close(): Promise<void> };

export type Opened<S> = Closable<S> & {
  /** A second instance on the same database (its own connection or pool). */
  peer(): Promise<Closable<S>>;
  /** Inserts a minimal `grants` row (break-glass records reference grants). */
  seedGrant(id: string): Promise<void>;
};

export type Opener<S> = () => Promise<Opened<S>>;

const INSERT_GRANT = (p: (n: number) => string) =>
  `INSERT INTO grants (id, resource, subject, requester, duration_ms, reason, requested_at, state, file_content, file_path, branch, updated_at)
   VALUES (${p(1)}, 'db', 'alice@example.com', 'alice@example.com', 60000, 'r', 1, 'requested', '', ${p(2)}, ${p(3)}, 1)`;
const grantParams = (id: string) => [id, `grants/db/${id}.yaml`, `grant/${id}`];

/** Stores of a SQLite database file; every instance is its own connection to it. */
export function sqliteOpener<S extends object>(make: (db: Db, tx: SqliteAsyncTransactor) => S): Opener<S> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "grantbot-contract-"));
    const path = join(dir, "grantbot.db");
    const connections: Db[] = [];
    const instance = (): Closable<S> => {
      const db = openDatabase(path);
      connections.push(db);
      return { ...make(db, new SqliteAsyncTransactor(db)), close: async () => void (db.open && db.close()) };
    };
    const main = instance();
    const first = connections[0]!;
    return {
      ...main,
      peer: async () => instance(),
      seedGrant: async (id) => void first.prepare(INSERT_GRANT(() => "?")).run(...grantParams(id)),
      close: async () => {
        for (const c of connections) if (c.open) c.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

const PEOPLE_TABLES = [
  "directory_people", "directory_polls", "offboarding_cases", "slack_cards", "review_snapshots", "slack_home_users",
  "breakglass_grants", "access_reviews", "standing_seen", "standing_missed", "grant_usage", "grants",
];

/** A new database on the run's PostgreSQL server, migrated (migratePostgres); its url. */
export async function peopleDatabaseUrl(prefix: string): Promise<string> {
  const url = await freshDatabaseUrl(prefix);
  const db = new PgDatabase(url, { max: 1 });
  try {
    await migratePostgres(db);
  } finally {
    await db.close();
  }
  return url;
}

/**
 * Stores on the PostgreSQL database at `url()` (made by peopleDatabaseUrl once per suite): each
 * `open()` empties the tables first, each instance is its own pool.
 */
export function pgOpener<S extends object>(url: () => string, make: (db: PgDatabase) => S): Opener<S> {
  return async () => {
    const pools: PgDatabase[] = [];
    const instance = (): Closable<S> => {
      const db = new PgDatabase(url(), { max: 4 });
      pools.push(db);
      return { ...make(db), close: () => db.close() };
    };
    const main = instance();
    const first = pools[0]!;
    await first.query(`TRUNCATE ${PEOPLE_TABLES.join(", ")} RESTART IDENTITY CASCADE`);
    return {
      ...main,
      peer: async () => instance(),
      seedGrant: async (id) => void (await first.query(INSERT_GRANT((n) => `$${n}`), grantParams(id))),
      close: async () => {
        await Promise.all(pools.map((p) => p.close()));
      },
    };
  };
}

/** Runs `race` `rounds` times; each round starts both sides together. */
export async function rounds<T>(n: number, race: (round: number) => [Promise<T>, Promise<T>]): Promise<Array<[T, T]>> {
  const out: Array<[T, T]> = [];
  for (let i = 0; i < n; i++) out.push(await Promise.all(race(i)));
  return out;
}
