/**
 * The crash suite on PostgreSQL (issue 13): the lifecycle scenario (lifecycle-scenario.ts) and the
 * revocation-window scenario (ends-scenario.ts), each with its child grantbot on a fresh database
 * of the run's PostgreSQL server (GRANTBOT_DATABASE_URL, a fresh key encryption key) and the
 * invariants read from that database (PgAuditLog.verify for the chain).
 *
 * Each restart after a kill -9 is a new process with a new instance id, as `grantbot serve` is by
 * default: the jobs the killed process held are taken over when their 3 s leases run out, and
 * leadership moves when the killed process's session ends.
 * CRASH_SEED=<n> replays a run; CRASH_PG_KILLS=<n> changes the number of kills (default 16).
 */
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";
import { describeEndCrashes } from "./ends-scenario.ts";
import { describeLifecycleCrashes } from "./lifecycle-scenario.ts";

const onFreshDatabase = async () => ({ databaseUrl: await freshDatabaseUrl("crash") });

describeWithPostgres("crash suite on PostgreSQL", () => {
  describeLifecycleCrashes({
    name: "crash safety on PostgreSQL: kill -9 at any point",
    seed: Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000),
    kills: Number(process.env.CRASH_PG_KILLS ?? 16),
    world: onFreshDatabase,
    timeoutMs: 300_000,
  });
  describeEndCrashes("crash safety of revocation on PostgreSQL, whatever state the grant is in", onFreshDatabase);
});
