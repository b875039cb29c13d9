import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { openPgCore, openSqliteCore } from "./core-stores.ts";
import { credentialStoreContract } from "./credential-store.contract.ts";

credentialStoreContract("SQLite", openSqliteCore);

describeWithPostgres("PostgreSQL", () => {
  credentialStoreContract("PostgreSQL", async () => openPgCore(await freshDatabaseUrl("credentials")));
});
