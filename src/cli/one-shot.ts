/**
 * grantbot built for a CLI one-shot (`revoke`, `reconcile`, `reviews`), which may run next to a
 * live `serve` — or, on PostgreSQL, next to a whole cluster of instances:
 * - `recoverJobs: false`: jobs other processes are running stay theirs (on PostgreSQL the
 *   requeue only ever concerns the opener's own instance id anyway);
 * - its own instance id, `cli-<command>-<host>-<pid>-<random>`, so the leases it takes are told
 *   apart from every instance's, and renewed/handed back under that id only;
 * - no cluster leadership: building on PostgreSQL takes part in the leader election (the advisory
 *   lock, see pg-leadership.ts), but a one-shot runs none of the cluster's duties, so holding the
 *   lock would only stop every instance from running them. It is given back at once, before the
 *   command does anything.
 */
import type { Config } from "../config/types.ts";
import { buildGrantbot, type BuiltGrantbot } from "../build-grantbot.ts";
import type { Log } from "../services/ports/index.ts";
import { cliInstanceId } from "./cli-stores.ts";

export async function buildOneShot(config: Config, command: string, log: Log): Promise<BuiltGrantbot> {
  const built = await buildGrantbot(config, { log, recoverJobs: false, instanceId: cliInstanceId(command) });
  if (built.cluster) await built.cluster.leadership.close();
  return built;
}

/** Where the grants live, for messages: the PostgreSQL database or the data directory. */
export function databaseName(config: Config): string {
  return config.database.kind === "postgres" ? "the PostgreSQL database of GRANTBOT_DATABASE_URL" : `the database of GRANTBOT_DATA_DIR=${config.dataDir}`;
}
