/**
 * `grantbot audit verify` — re-computes the audit log's hash chain; exit 0 when intact, 1 with
 * one line per problem (each naming the row's seq) otherwise.
 * `grantbot audit export` — writes the log to stdout as JSON Lines (one row per line, hashes
 * included, so the copy can be verified elsewhere).
 * Either back end: PostgreSQL with GRANTBOT_DATABASE_URL (the walk reads one snapshot, so
 * instances appending meanwhile are neither half seen nor reported), else GRANTBOT_DATA_DIR.
 */
import type { CliIO } from "./io.ts";
import { openCliStores } from "./cli-stores.ts";
import { exportPgJsonLines } from "../adapters/postgres/pg-audit-log.ts";
import { exportJsonLines } from "../adapters/sqlite/sqlite-audit-log.ts";

const USAGE = `usage: grantbot audit <verify|export>

  verify   check the audit log's hash chain (exit 1 when a row was edited or deleted)
  export   write the audit log as JSON Lines to stdout

The database is PostgreSQL when GRANTBOT_DATABASE_URL is set, else <GRANTBOT_DATA_DIR>/grantbot.db
(GRANTBOT_DATA_DIR defaults to ./data).
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
  const opened = await openCliStores(io, "audit");
  if (!opened) return 1;
  const { stores } = opened;
  try {
    if (sub === "export") {
      if (stores.pg) await exportPgJsonLines(stores.pg.audit, (line) => io.stdout(line));
      else await exportJsonLines(stores.audit, (line) => io.stdout(line));
      return 0;
    }
    const result = await (stores.pg ? stores.pg.audit.verify() : stores.audit.verify());
    if (result.ok) {
      io.stdout(`audit log OK: ${result.rows} rows\n`);
      return 0;
    }
    for (const problem of result.problems) io.stdout(`${problem}\n`);
    io.stderr(`audit log BROKEN: ${result.problems.length} problem(s) in ${result.rows} rows (${opened.where})\n`);
    return 1;
  } finally {
    await stores.close();
  }
}
