import { beforeAll } from "vitest";
import { asyncStore } from "../../src/adapters/sqlite/async-sqlite.ts";
import { SqliteBreakglassStore } from "../../src/adapters/sqlite/sqlite-breakglass-store.ts";
import { PgBreakglassStore } from "../../src/adapters/postgres/pg-breakglass-store.ts";
import { describeWithPostgres } from "../support/postgres.ts";
import { breakglassContract } from "./breakglass-store.contract.ts";
import { peopleDatabaseUrl, pgOpener, sqliteOpener } from "./people-backends.ts";

breakglassContract("SQLite", sqliteOpener((db, tx) => ({ breakglass: asyncStore<SqliteBreakglassStore>(new SqliteBreakglassStore(db), tx) })));

describeWithPostgres("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await peopleDatabaseUrl("breakglass");
  });
  breakglassContract("PostgreSQL", pgOpener(() => url, (db) => ({ breakglass: new PgBreakglassStore(db) })));
});
