import { beforeAll, expect, it } from "vitest";
import { asyncStore } from "../../src/adapters/sqlite/async-sqlite.ts";
import { SqliteUsageLog } from "../../src/adapters/sqlite/sqlite-usage-log.ts";
import { PgDatabase, type Queryable } from "../../src/adapters/postgres/pg-database.ts";
import { PgUsageLog } from "../../src/adapters/postgres/pg-usage-log.ts";
import { describeWithPostgres } from "../support/postgres.ts";
import { usageLogContract } from "./usage-log.contract.ts";
import { peopleDatabaseUrl, pgOpener, sqliteOpener } from "./people-backends.ts";

usageLogContract("SQLite", sqliteOpener((db, tx) => ({ usage: asyncStore<SqliteUsageLog, "record">(new SqliteUsageLog(db), tx, ["record"]) })));

describeWithPostgres("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await peopleDatabaseUrl("usage");
  });
  usageLogContract("PostgreSQL", pgOpener(() => url, (db) => ({ usage: new PgUsageLog(db) })));

  /** The pool, with the next INSERT held back `delayMs` and then failed (`fail`) or run. */
  function holdNextInsert(db: PgDatabase, { delayMs = 0, fail = false }): Queryable {
    let armed = true;
    return {
      query: async (text, values) => {
        if (armed && text.trimStart().startsWith("INSERT")) {
          armed = false;
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          if (fail) throw new Error("connection lost");
        }
        return db.query(text, values);
      },
    };
  }

  it("keeps the uses of a failed flush (merged with those recorded meanwhile) for the next flush", async () => {
    const db = new PgDatabase(url, { max: 2 });
    try {
      const usage = new PgUsageLog(holdNextInsert(db, { fail: true }));
      usage.record("kept", 10);
      await expect(usage.flush()).rejects.toThrow("connection lost");
      usage.record("kept", 20);
      expect(usage.pending).toBe(1);
      expect(await usage.flush()).toBe(1);
      expect((await new PgUsageLog(db).forGrants(["kept"])).get("kept")).toEqual({ grantId: "kept", firstUse: 10, lastUse: 20, uses: 2 });
    } finally {
      await db.close();
    }
  });

  it("does not lose a batch from a read made while a slow flush is still writing it", async () => {
    const db = new PgDatabase(url, { max: 2 });
    try {
      const usage = new PgUsageLog(holdNextInsert(db, { delayMs: 150 }));
      usage.record("slow", 1);
      usage.record("slow", 2);
      const flushing = usage.flush();
      usage.record("slow", 3);
      expect((await usage.forGrants(["slow"])).get("slow")).toEqual({ grantId: "slow", firstUse: 1, lastUse: 3, uses: 3 });
      expect(await flushing).toBe(1);
    } finally {
      await db.close();
    }
  });
});
