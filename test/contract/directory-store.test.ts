import { beforeAll } from "vitest";
import { asyncStore } from "../../src/adapters/sqlite/async-sqlite.ts";
import { SqliteDirectoryStore } from "../../src/adapters/sqlite/sqlite-directory-store.ts";
import { PgDirectoryStore } from "../../src/adapters/postgres/pg-directory-store.ts";
import { describeWithPostgres } from "../support/postgres.ts";
import { directoryContract } from "./directory-store.contract.ts";
import { peopleDatabaseUrl, pgOpener, sqliteOpener } from "./people-backends.ts";

directoryContract("SQLite", sqliteOpener((db, tx) => ({ people: asyncStore<SqliteDirectoryStore>(new SqliteDirectoryStore(db), tx) })));

describeWithPostgres("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await peopleDatabaseUrl("directory");
  });
  directoryContract("PostgreSQL", pgOpener(() => url, (db) => ({ people: new PgDirectoryStore(db) })));
});
