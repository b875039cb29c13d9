import { beforeAll } from "vitest";
import { asyncStore } from "../../src/adapters/sqlite/async-sqlite.ts";
import { SqliteReviewStore } from "../../src/adapters/sqlite/sqlite-review-store.ts";
import { PgReviewStore } from "../../src/adapters/postgres/pg-review-store.ts";
import { describeWithPostgres } from "../support/postgres.ts";
import { reviewStoreContract } from "./review-store.contract.ts";
import { peopleDatabaseUrl, pgOpener, sqliteOpener } from "./people-backends.ts";

reviewStoreContract("SQLite", sqliteOpener((db, tx) => ({ reviews: asyncStore<SqliteReviewStore>(new SqliteReviewStore(db), tx) })));

describeWithPostgres("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await peopleDatabaseUrl("reviews");
  });
  reviewStoreContract("PostgreSQL", pgOpener(() => url, (db) => ({ reviews: new PgReviewStore(db) })));
});
