/**
 * `grantbot audit verify` — re-computes the audit log's hash chain; exit 0 when intact, 1 with
 * one line per problem otherwise.
 * `grantbot audit export` — writes the log to stdout as JSON Lines (one row per line, hashes
 * included, so the copy can be verified elsewhere).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { CliIO } from "./io.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { databasePath } from "../adapters/sqlite/open-store.ts";
import { exportJsonLines, SqliteAuditLog } from "../adapters/sqlite/sqlite-audit-log.ts";
import { asyncStore, SqliteAsyncTransactor } from "../adapters/sqlite/async-sqlite.ts";

const USAGE = `usage: grantbot audit <verify|export>

  verify   check the audit log's hash chain (exit 1 when a row was edited or deleted)
  export   write the audit log as JSON Lines to stdout

The database is <GRANTBOT_DATA_DIR>/grantbot.db (GRANTBOT_DATA_DIR defaults to ./data).
`;

export async function auditCommand(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "help" || sub === "--help" || sub === "-h") {
    io.stdout(USAGE);
    return 0;
  }
  if ((sub !== "verify" && sub !== "export") || rest.length > 0) {
    io.stderr(sub === undefined ? USAGE : `grantbot audit: unexpected "${[sub, ...rest].join(" ")}"\n\n${USAGE}`);
    return 1;
  }
  const dataDir = resolve(io.cwd, io.env.GRANTBOT_DATA_DIR ?? "./data");
  const path = databasePath(dataDir);
  if (!existsSync(path)) {
    io.stderr(`grantbot audit: no database at ${path} (set GRANTBOT_DATA_DIR to grantbot's data directory)\n`);
    return 1;
  }
  let db;
  try {
    db = openDatabase(path, { fileMustExist: true });
  } catch (error) {
    io.stderr(`grantbot audit: cannot open ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    const log = asyncStore(new SqliteAuditLog(db), new SqliteAsyncTransactor(db), ["all"]);
    if (sub === "export") {
      await exportJsonLines(log, (line) => io.stdout(line));
      return 0;
    }
    const result = await log.verify();
    if (result.ok) {
      io.stdout(`audit log OK: ${result.rows} rows\n`);
      return 0;
    }
    for (const problem of result.problems) io.stdout(`${problem}\n`);
    io.stderr(`audit log BROKEN: ${result.problems.length} problem(s) in ${result.rows} rows\n`);
    return 1;
  } finally {
    db.close();
  }
}
