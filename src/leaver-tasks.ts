/**
 * Composition of the leavers/movers/drift periodic work (part of main.ts, kept apart so the
 * composition root stays readable): the directory poll (plus one right at start, to catch up
 * on leavers missed while down), reconciliation, and stale request PRs.
 */
import type { Config } from "./config/types.ts";
import type { Scheduler } from "./adapters/scheduler/scheduler.ts";
import type { ServiceDeps } from "./services/deps.ts";
import { DirectoryPoller } from "./services/directory-sync.ts";
import type { Log, PeopleDirectory } from "./services/ports.ts";
import { reconcileGroups } from "./services/reconcile-group.ts";
import { closeStaleRequests } from "./services/stale-requests.ts";

export type Task = () => Promise<unknown> | unknown;

/** How often to look for stale request PRs: a quarter of the age, between 1 s and 10 min. */
export function staleCheckInterval(ageMs: number): number {
  return Math.min(Math.max(Math.floor(ageMs / 4), 1_000), 600_000);
}

/** Registers the tasks on the scheduler; returns them by name (for `runTask`). */
export function scheduleLeaverTasks(input: { scheduler: Scheduler; deps: ServiceDeps; config: Config; peopleDirectory: PeopleDirectory | null; log: Log }): Map<string, Task> {
  const { scheduler, deps, config, log } = input;
  const tasks = new Map<string, Task>([
    ["reconcile", () => reconcileGroups(deps, { alert: true })],
    ["stale-requests", () => closeStaleRequests(deps)],
  ]);
  if (input.peopleDirectory && config.directory) {
    const poller = new DirectoryPoller(deps, input.peopleDirectory);
    tasks.set("directory-poll", () => poller.poll());
    scheduler.every({ name: "directory-poll", everyMs: config.directory.pollIntervalMs, run: () => poller.poll() });
    void poller.poll().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "first directory poll failed"));
  }
  scheduler.every({ name: "reconcile", everyMs: config.reconcileIntervalMs, run: tasks.get("reconcile")! });
  scheduler.every({ name: "stale-requests", everyMs: staleCheckInterval(config.staleRequestAgeMs), run: tasks.get("stale-requests")! });
  return tasks;
}
