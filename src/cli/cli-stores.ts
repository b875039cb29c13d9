/**
 * The stores of the CLI commands that only need the database (`grants`, `audit`, `reviews --dir`):
 * PostgreSQL when GRANTBOT_DATABASE_URL is set, else the SQLite database of GRANTBOT_DATA_DIR —
 * the same choice `openStores` makes for `serve`, read from these two variables only, so an
 * operator or auditor can run them without the rest of the configuration (nor the key encryption
 * key: nothing here touches the signing keys).
 *
 * On PostgreSQL these commands are one more client of a database running instances share: a
 * small pool, their own instance id (`cli-<command>-<host>-<pid>-<random>`), and no job or lease
 * is ever touched by opening.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { CliIO } from "./io.ts";
import { location, messageOf, redact } from "./database-url.ts";
import { openStores, storesOverPg, type Stores } from "../adapters/open-stores.ts";
import { openPgStore } from "../adapters/postgres/open-pg-store.ts";
import { databasePath } from "../adapters/sqlite/open-store.ts";
import { databaseUrl } from "../config/database-fields.ts";
import { systemClock } from "../shared/clock.ts";

/** A distinct id for a CLI process among the instances of a cluster (job leases, pg_stat_activity). */
export function cliInstanceId(command: string): string {
  return `cli-${command}-${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

export interface OpenedCliStores {
  stores: Stores;
  /** For messages: `PostgreSQL database host:port/db` or `SQLite database /path/grantbot.db`. */
  where: string;
}

/**
 * Opens the database the environment names, or prints why it cannot (`grantbot <command>: …`)
 * and returns null (exit 1). A SQLite database that does not exist is refused, not created.
 */
export async function openCliStores(io: CliIO, command: string): Promise<OpenedCliStores | null> {
  const raw = io.env.GRANTBOT_DATABASE_URL?.trim();
  if (!raw) {
    const dataDir = resolve(io.cwd, io.env.GRANTBOT_DATA_DIR?.trim() || "./data");
    const path = databasePath(dataDir);
    if (!existsSync(path)) {
      io.stderr(`grantbot ${command}: no database at ${path} (set GRANTBOT_DATA_DIR to grantbot's data directory, or GRANTBOT_DATABASE_URL)\n`);
      return null;
    }
    try {
      return { stores: await openStores({ kind: "sqlite", dataDir }, systemClock, { instanceId: cliInstanceId(command) }), where: `SQLite database ${path}` };
    } catch (error) {
      io.stderr(`grantbot ${command}: cannot open ${path}: ${messageOf(error)}\n`);
      return null;
    }
  }
  const parsed = databaseUrl().safeParse(raw);
  if (!parsed.success) {
    io.stderr(`grantbot ${command}: GRANTBOT_DATABASE_URL: ${parsed.error.issues[0]?.message ?? "invalid"}\n`);
    return null;
  }
  const where = `PostgreSQL database ${location(raw)}`;
  const instanceId = cliInstanceId(command);
  try {
    const pg = await openPgStore(parsed.data.reveal(), systemClock, { instanceId, applicationName: instanceId.slice(0, 63), max: 2 });
    return { stores: storesOverPg(pg), where };
  } catch (error) {
    io.stderr(`grantbot ${command}: ${where}: ${redact(messageOf(error), raw)}\n`);
    return null;
  }
}
