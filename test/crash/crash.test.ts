/**
 * Crash safety (PRODUCT.md: "a crash (kill -9) at any point never loses an approved grant or a
 * revocation; after restart each happens exactly once"), on the embedded SQLite store: the
 * lifecycle scenario of lifecycle-scenario.ts, restarting on the same data directory each time.
 * CRASH_SEED=<n> replays a run; CRASH_KILLS=<n> changes the number of kills (default 32).
 */
import { describeLifecycleCrashes } from "./lifecycle-scenario.ts";

describeLifecycleCrashes({
  name: "crash safety: kill -9 at any point",
  seed: Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000),
  kills: Number(process.env.CRASH_KILLS ?? 32),
});
