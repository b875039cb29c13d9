/**
 * vitest globalSetup: one PostgreSQL server per vitest run, shared by every test file (each file
 * makes its own database with freshDatabaseUrl(), so files running in parallel share no state).
 *
 * No server binaries: under CI (process.env.CI) the run fails; elsewhere one loud line goes to
 * stderr and the PostgreSQL suites skip. Binaries that are there but fail to start always fail.
 */
import type { TestProject } from "vitest/node";
import { findPostgresBinDir, startPostgresServer } from "./postgres-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://grantbot@127.0.0.1:<port>/postgres, or null when PostgreSQL tests skip. */
    pgUrl: string | null;
    /** Why PostgreSQL tests skip, or null when they run. */
    pgSkipReason: string | null;
  }
}

export const INSTALL_HINT = "install Debian's postgresql package, or set GRANTBOT_TEST_PG_BIN";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const found = findPostgresBinDir();
  if ("reason" in found) {
    const reason = `${found.reason} (${INSTALL_HINT})`;
    if (process.env.CI) throw new Error(`PostgreSQL tests cannot run under CI: ${reason}`);
    process.stderr.write(`\n*** PostgreSQL tests SKIPPED: ${reason} ***\n\n`);
    project.provide("pgUrl", null);
    project.provide("pgSkipReason", reason);
    return async () => {};
  }
  const server = await startPostgresServer();
  project.provide("pgUrl", server.url);
  project.provide("pgSkipReason", null);
  return () => server.stop();
}
