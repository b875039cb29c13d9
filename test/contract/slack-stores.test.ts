import { beforeAll } from "vitest";
import { asyncStore } from "../../src/adapters/sqlite/async-sqlite.ts";
import { SqliteCardStore, SqliteHomeUsers } from "../../src/adapters/sqlite/sqlite-card-store.ts";
import { PgCardStore } from "../../src/adapters/postgres/pg-card-store.ts";
import { PgHomeUsers } from "../../src/adapters/postgres/pg-home-users.ts";
import { describeWithPostgres } from "../support/postgres.ts";
import { cardStoreContract, homeUsersContract } from "./slack-stores.contract.ts";
import { peopleDatabaseUrl, pgOpener, sqliteOpener } from "./people-backends.ts";

cardStoreContract("SQLite", sqliteOpener((db, tx) => ({ cards: asyncStore<SqliteCardStore>(new SqliteCardStore(db), tx) })));
homeUsersContract("SQLite", sqliteOpener((db, tx) => ({ homeUsers: asyncStore<SqliteHomeUsers>(new SqliteHomeUsers(db), tx) })));

describeWithPostgres("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await peopleDatabaseUrl("slack");
  });
  cardStoreContract("PostgreSQL", pgOpener(() => url, (db) => ({ cards: new PgCardStore(db) })));
  homeUsersContract("PostgreSQL", pgOpener(() => url, (db) => ({ homeUsers: new PgHomeUsers(db) })));
});
