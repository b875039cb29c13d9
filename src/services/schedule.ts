/**
 * Everything grantbot does on a schedule, in one place. Precise expiry does not depend on any of
 * it (the job runner arms a timer for the earliest due job); these are backstops and periodic
 * duties:
 * - expiry sweep (every minute, and once at start: catches up every expiry missed while down);
 * - GitHub poll (primary without a webhook secret, a 5-minute backstop with one), with a re-check
 *   of open request PRs every 10th poll and the approvals so far on the request cards;
 * - policy refresh (keeps the cached catalog fresh for new requests, which read none themselves);
 * - directory poll (plus one right at start, to catch up on leavers missed while down);
 * - reconciliation, stale request PRs, and hourly housekeeping of finished jobs and delivery ids;
 * - when given, the dependency re-check behind /readyz (every 30 s in `serve`);
 * - access reviews of standing members (at start-up and hourly), a poll of open review PRs, and
 *   the flush of recorded grant use (every 5 s).
 */
import type { ServiceDeps } from "./deps.ts";
import { sweepExpiries } from "./grants/end-grant.ts";
import { pollPullRequests, recheckOpenPullRequests } from "./grants/pull-request-events.ts";
import { pollReviews } from "./grants/review-check.ts";
import { closeStaleRequests } from "./grants/stale-requests.ts";
import { DirectoryPoller } from "./leavers/directory-sync.ts";
import type { Log, PeopleSource, Scheduler } from "./ports/index.ts";
import { reconcileGroups } from "./reconcile/reconcile-group.ts";
import { checkAccessReviews } from "./reviews/check-reviews.ts";
import { pollReviewPrs } from "./reviews/review-prs.ts";

export type Task = () => Promise<unknown> | unknown;

/**
 * Several instances on one database: the duties that must run once per cluster run only where
 * `isLeader()` holds; `tick` (every `tickEveryMs`, on every instance) keeps the leadership and the
 * shared signing keys current; the leader rotates the keys when due.
 */
export interface ClusterDuties {
  isLeader(): boolean;
  tickEveryMs: number;
  tick(): Promise<boolean>;
  rotateKeys(): Promise<void>;
}

/** Tasks that run on the leader only when several instances share the database. */
const CLUSTER_ONCE = new Set(["github-poll", "prune", "reconcile", "stale-requests", "access-reviews", "review-prs", "directory-poll", "key-rotation"]);
/** The leader gained its role: these catch up at once instead of at their next interval. */
const ON_LEADERSHIP = ["directory-poll", "github-poll", "review-prs"];

export interface ScheduleSettings {
  /** Whether GitHub webhooks are configured (polling is then only a backstop). */
  githubWebhooks: boolean;
  githubPollIntervalMs: number;
  /** null: no source-of-truth directory configured. */
  directoryPollIntervalMs: number | null;
  reconcileIntervalMs: number;
  staleRequestAgeMs: number;
}

/** Access reviews are checked at start-up and at least this often. */
export const ACCESS_REVIEW_CHECK_MS = 3_600_000;
/** Uses of grants (introspections) are written from memory this often: what a crash can lose. */
export const USAGE_FLUSH_MS = 5_000;

/** How long finished jobs and webhook delivery ids are kept (the audit log keeps the history). */
const KEEP_FINISHED_MS = 7 * 86_400_000;

/** How often to look for stale request PRs: a quarter of the age, between 1 s and 10 min. */
export function staleCheckInterval(ageMs: number): number {
  return Math.min(Math.max(Math.floor(ageMs / 4), 1_000), 600_000);
}

/**
 * Registers every periodic task on `scheduler` and returns them by name (for `runTask`, the CLI
 * and tests): expiry-sweep, github-poll, policy-refresh, prune, reconcile, stale-requests, with a
 * directory directory-poll, and with `dependencyCheck` dependency-check.
 */
export function scheduleAll(input: {
  scheduler: Scheduler;
  deps: ServiceDeps;
  settings: ScheduleSettings;
  peopleSource: PeopleSource | null;
  log: Log;
  /** Re-checks Slack, GitHub and the SCIM targets for /readyz (bounded, cheap); absent = not checked. */
  dependencyCheck?: { everyMs: number; run(): Promise<unknown> };
  /** Several instances share the database (PostgreSQL): leader-only duties. Absent = this process leads. */
  cluster?: ClusterDuties;
}): Map<string, Task> {
  const { deps, settings, log, cluster } = input;
  // Registration through a gate: a cluster-once task is skipped (it runs on the leader) while this
  // instance does not lead. `tasks` (runTask, the CLI, tests) stay ungated.
  const gated = (name: string, run: Task): Task => (cluster && CLUSTER_ONCE.has(name) ? () => (cluster.isLeader() ? run() : undefined) : run);
  const scheduler: Pick<Scheduler, "every" | "everyMinute" | "runNow"> = {
    every: (task) => input.scheduler.every({ ...task, run: gated(task.name, task.run) }),
    everyMinute: (name, run) => input.scheduler.everyMinute(name, gated(name, run)),
    runNow: (name, run) => input.scheduler.runNow(name, gated(name, run)),
  };
  let polls = 0;
  let reviewPolls = 0;
  const tasks = new Map<string, Task>([
    [
      "expiry-sweep",
      async () => {
        await sweepExpiries(deps);
        deps.wake();
      },
    ],
    [
      "github-poll",
      async () => {
        await pollPullRequests(deps);
        if (!settings.githubWebhooks || ++polls % 10 === 0) await recheckOpenPullRequests(deps);
        // Approvals so far on the request cards: every other poll without webhooks, a backstop with them.
        if (++reviewPolls % (settings.githubWebhooks ? 10 : 2) === 1) await pollReviews(deps);
      },
    ],
    ["policy-refresh", async () => void (await deps.policy.current())],
    [
      "prune",
      async () => {
        const before = deps.clock.now() - KEEP_FINISHED_MS;
        await deps.jobs.pruneFinished(before);
        await deps.deliveries.prune(before);
      },
    ],
    ["reconcile", () => reconcileGroups(deps, { alert: true })],
    ["stale-requests", () => closeStaleRequests(deps)],
    // Access reviews (issue 15): due/overdue standing members, review PRs closed, use of grants.
    ["access-reviews", () => checkAccessReviews(deps)],
    ["review-prs", () => pollReviewPrs(deps)],
    ["usage-flush", () => deps.usage.flush()],
  ]);
  scheduler.everyMinute("expiry-sweep", tasks.get("expiry-sweep")!);
  scheduler.every({
    name: "github-poll",
    everyMs: settings.githubWebhooks ? Math.max(settings.githubPollIntervalMs, 300_000) : settings.githubPollIntervalMs,
    run: tasks.get("github-poll")!,
  });
  scheduler.every({ name: "policy-refresh", everyMs: 60_000, run: tasks.get("policy-refresh")! });
  scheduler.every({ name: "prune", everyMs: 3_600_000, run: tasks.get("prune")! });
  scheduler.every({ name: "reconcile", everyMs: settings.reconcileIntervalMs, run: tasks.get("reconcile")! });
  scheduler.every({ name: "stale-requests", everyMs: staleCheckInterval(settings.staleRequestAgeMs), run: tasks.get("stale-requests")! });
  scheduler.every({ name: "access-reviews", everyMs: ACCESS_REVIEW_CHECK_MS, run: tasks.get("access-reviews")! });
  scheduler.every({ name: "review-prs", everyMs: settings.githubWebhooks ? Math.max(settings.githubPollIntervalMs, 300_000) : settings.githubPollIntervalMs, run: tasks.get("review-prs")! });
  scheduler.every({ name: "usage-flush", everyMs: USAGE_FLUSH_MS, run: tasks.get("usage-flush")! });
  void scheduler.runNow("access-reviews", tasks.get("access-reviews")!); // at start-up (its failures are logged)
  if (input.dependencyCheck) {
    const check = input.dependencyCheck;
    tasks.set("dependency-check", () => check.run());
    scheduler.every({ name: "dependency-check", everyMs: check.everyMs, run: () => check.run() });
  }
  if (input.peopleSource && settings.directoryPollIntervalMs !== null) {
    const poller = new DirectoryPoller(deps, input.peopleSource);
    tasks.set("directory-poll", () => poller.poll());
    scheduler.every({ name: "directory-poll", everyMs: settings.directoryPollIntervalMs, run: () => poller.poll() });
    if (!cluster || cluster.isLeader()) void poller.poll().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "first directory poll failed"));
  }
  if (cluster) {
    tasks.set("key-rotation", () => cluster.rotateKeys());
    scheduler.every({ name: "key-rotation", everyMs: 3_600_000, run: tasks.get("key-rotation")! });
    let led = cluster.isLeader();
    input.scheduler.every({
      name: "cluster-tick",
      everyMs: cluster.tickEveryMs,
      run: async () => {
        const leads = await cluster.tick();
        if (leads && !led) for (const name of ON_LEADERSHIP) if (tasks.has(name)) void scheduler.runNow(name, tasks.get(name)!);
        led = leads;
      },
    });
  }
  return tasks;
}
