import { freshDatabaseUrl, describeWithPostgres } from "../support/postgres.ts";
import { openPgCore, openSqliteCore } from "./core-stores.ts";
import { grantStoreContract } from "./grant-store.contract.ts";

grantStoreContract("SQLite", openSqliteCore);

describeWithPostgres("PostgreSQL", () => {
  grantStoreContract("PostgreSQL", async () => openPgCore(await freshDatabaseUrl("grants")));
});
