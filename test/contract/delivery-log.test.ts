import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { openPgCore, openSqliteCore } from "./core-stores.ts";
import { deliveryLogContract } from "./delivery-log.contract.ts";

deliveryLogContract("SQLite", openSqliteCore);

describeWithPostgres("PostgreSQL", () => {
  deliveryLogContract("PostgreSQL", async () => openPgCore(await freshDatabaseUrl("deliveries")));
});
