/**
 * What test files use to reach the PostgreSQL server that postgres-global-setup.ts started for
 * this vitest run:
 *
 *   describeWithPostgres("PostgresGrantStore", () => {
 *     let url: string;
 *     beforeAll(async () => { url = await freshDatabaseUrl(); });
 *     ...
 *   });
 */
import { describe, inject } from "vitest";
import { createDatabaseOn } from "./postgres-server.ts";
// The ProvidedContext keys (pgUrl, pgSkipReason) are declared beside the code that provides them.
import type {} from "./postgres-global-setup.ts";

/** True when this run has a PostgreSQL server; false when the PostgreSQL suites skip. */
export function postgresAvailable(): boolean {
  return inject("pgUrl") !== null;
}

/** Like `describe`, but skipped when no PostgreSQL server could be started for this run. */
export const describeWithPostgres = (name: string, fn: () => void): void => {
  describe.skipIf(!postgresAvailable())(name, fn);
};

/** A new, empty database on the shared server (random unique name); returns its url. */
export async function freshDatabaseUrl(prefix = "test"): Promise<string> {
  const url = inject("pgUrl");
  if (url === null) throw new Error(`no PostgreSQL server for this run: ${inject("pgSkipReason") ?? "unknown reason"}`);
  return createDatabaseOn(url, prefix);
}
