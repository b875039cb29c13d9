import { beforeAll } from "vitest";
import { asyncStore } from "../../src/adapters/sqlite/async-sqlite.ts";
import { SqliteOffboardingStore } from "../../src/adapters/sqlite/sqlite-offboarding-store.ts";
import { PgOffboardingStore } from "../../src/adapters/postgres/pg-offboarding-store.ts";
import { describeWithPostgres } from "../support/postgres.ts";
import { offboardingContract } from "./offboarding-store.contract.ts";
import { peopleDatabaseUrl, pgOpener, sqliteOpener } from "./people-backends.ts";

offboardingContract("SQLite", sqliteOpener((db, tx) => ({ offboarding: asyncStore<SqliteOffboardingStore>(new SqliteOffboardingStore(db), tx) })));

describeWithPostgres("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await peopleDatabaseUrl("offboarding");
  });
  offboardingContract("PostgreSQL", pgOpener(() => url, (db) => ({ offboarding: new PgOffboardingStore(db) })));
});
