import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { auditLogContract } from "./audit-log.contract.ts";
import { openPgCore, openSqliteCore } from "./core-stores.ts";

auditLogContract("SQLite", openSqliteCore);

describeWithPostgres("PostgreSQL", () => {
  auditLogContract("PostgreSQL", async () => openPgCore(await freshDatabaseUrl("audit")));
});
