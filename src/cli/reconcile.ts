/**
 * `grantbot reconcile [--fix] [--json] [--timeout <duration>]`: compare every group the catalog
 * manages with what live grants justify, print the drift, and repair it where the resource has
 * `enforce: true` (all managed groups with `--fix`) through the same idempotent jobs `serve` runs —
 * waiting up to --timeout (default 2 minutes) for them. Exit code: 0 = no drift, 2 = drift found,
 * 1 = error. Every remote read has a timeout (GitHub 10 s, each SCIM target its `timeout`), so a
 * GitHub or SCIM target that never answers ends the command with exit 1 and the error.
 *
 * `--json` prints exactly {"resources":[{"resource","target","group","missing":[...],"unexpected":[...]}]}
 * (plus an "errors" list when a group could not be read).
 */
import type { Command } from "./io.ts";
import { configOrReport, takeTimeout } from "./load.ts";
import type { DriftEntry } from "../domain/drift.ts";
import { buildOneShot } from "./one-shot.ts";
import { CLUSTER_LEASE_MS } from "../adapters/postgres/cluster.ts";
import { JobRunner } from "../services/jobs/runner.ts";
import { JOB } from "../services/jobs/kinds.ts";
import { reconcileGroups } from "../services/reconcile/reconcile-group.ts";
import { reconcileAddHandler, reconcileRemoveHandler } from "../services/reconcile/reconcile-jobs.ts";
import { createLogger } from "../shared/logger.ts";
import { systemTimers } from "../shared/clock.ts";
import { stopRunnerWithin } from "../adapters/lifecycle/bounded-stop.ts";

const USAGE = "usage: grantbot reconcile [--fix] [--json] [--timeout <duration>]\n";
const REPAIR_WAIT_MS = 120_000;
/** How long repair jobs still running at the end may take before their leases go back to the queue. */
const CLOSE_BOUND_MS = 3_000;

export function driftJson(entries: readonly DriftEntry[]): string {
  const resources = entries.filter((e) => !e.error).map((e) => ({ resource: e.resource, target: e.target, group: e.group, missing: e.missing, unexpected: e.unexpected }));
  const errors = entries.filter((e) => e.error).map((e) => ({ resource: e.resource, target: e.target, group: e.group, error: e.error }));
  return JSON.stringify(errors.length ? { resources, errors } : { resources });
}

export function driftTable(entries: readonly DriftEntry[]): string {
  const rows = entries.map((e) => [e.resource, e.target, e.group, e.error ? "ERROR" : e.missing.join(",") || "-", e.error ? e.error : e.unexpected.join(",") || "-", e.enforced ? "repair" : "report"]);
  const head = ["RESOURCE", "TARGET", "GROUP", "MISSING", "UNEXPECTED", "ACTION"];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

export const reconcileCommand: Command = async (argv, io) => {
  const taken = takeTimeout(argv, REPAIR_WAIT_MS);
  if ("problem" in taken) {
    io.stderr(`grantbot reconcile: ${taken.problem}\n${USAGE}`);
    return 1;
  }
  const args = taken.rest;
  const unknown = args.filter((a) => a !== "--fix" && a !== "--json");
  if (unknown.length > 0) {
    io.stderr(`grantbot reconcile: unknown option ${unknown[0]}\n${USAGE}`);
    return 1;
  }
  const fix = args.includes("--fix");
  const json = args.includes("--json");
  const config = configOrReport(io);
  if (!config) return 1;
  // Logs go to stderr so `--json` output stays parseable.
  const log = createLogger({ level: config.logLevel === "silent" ? "silent" : "warn", destination: process.stderr });
  const built = await buildOneShot(config, "reconcile", log);
  // Only the repair jobs run here; everything else stays for `grantbot serve`.
  const runner = new JobRunner(
    { jobs: built.deps.jobs, clock: built.deps.clock, timers: systemTimers, log, metrics: built.deps.metrics },
    { [JOB.reconcileAdd]: reconcileAddHandler(built.deps), [JOB.reconcileRemove]: reconcileRemoveHandler(built.deps) },
    // On PostgreSQL, the cluster's short renewed leases: repairs this command dies holding are taken over within seconds.
    { concurrency: 8, leaseMs: built.store.kind === "postgres" ? CLUSTER_LEASE_MS : 120_000, retry: config.jobRetry },
  );
  try {
    const result = await reconcileGroups(built.deps, { fix, alert: false });
    let unfinished = 0;
    if (result.repairsQueued > 0) {
      runner.start();
      const deadline = Date.now() + taken.timeoutMs;
      const pending = async () => [...await built.deps.jobs.pending(`${JOB.reconcileAdd}:`), ...await built.deps.jobs.pending(`${JOB.reconcileRemove}:`)].length;
      while (await pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      unfinished = await pending();
    }
    if (json) io.stdout(`${driftJson(result.entries)}\n`);
    else {
      io.stdout(driftTable(result.entries));
      const repairs = result.repairsQueued === 0 ? "nothing repaired" : unfinished ? `${result.repairsQueued} repair(s) queued, ${unfinished} still being retried (grantbot serve finishes them)` : `${result.repairsQueued} repair(s) applied and verified`;
      io.stderr(`${result.drift ? "drift found" : "no drift"}; ${repairs}\n`);
    }
    if (result.errors > 0) return 1;
    return result.drift ? 2 : 0;
  } catch (err) {
    io.stderr(`grantbot reconcile: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await stopRunnerWithin(runner, built.store.jobs, CLOSE_BOUND_MS, systemTimers, log);
    await built.close({ boundMs: CLOSE_BOUND_MS });
  }
};
