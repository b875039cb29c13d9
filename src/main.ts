/**
 * Composition root: config -> adapters -> services (build-grantbot.ts) -> HTTP server + job runner +
 * scheduler. `grantbot serve` and `grantbot demo` both start grantbot through `startGrantbot`; only
 * the remote endpoints in the config differ.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "./config/types.ts";
import type { Stores } from "./adapters/open-stores.ts";
import { buildRoutes } from "./adapters/http/routes.ts";
import { createHttpServer } from "./adapters/http/server.ts";
import { directoryHookRoute } from "./adapters/http/directory-hook.ts";
import { CronScheduler } from "./adapters/scheduler/scheduler.ts";
import { acquireDataDirLock } from "./adapters/sqlite/data-dir-lock.ts";
import { DependencyHealth } from "./adapters/lifecycle/dependency-health.ts";
import { checkAtStartup, DependencyChecker, PROBE_TIMEOUT_MS, RECHECK_EVERY_MS } from "./adapters/lifecycle/dependency-checker.ts";
import { settlesWithin } from "./adapters/lifecycle/bounded-stop.ts";
import { createLogger } from "./shared/logger.ts";
import { systemClock, systemTimers } from "./shared/clock.ts";
import type { ServiceDeps } from "./services/deps.ts";
import type { JobRunner } from "./services/jobs/runner.ts";
import { warmGroupLookups } from "./services/targets/warm-group-lookups.ts";
import { scheduleAll, type ClusterDuties } from "./services/schedule.ts";
import { LEADERSHIP_TICK_MS, type Cluster } from "./adapters/postgres/cluster.ts";
import { buildGrantbot, type BuiltGrantbot, type StartOptions, type StopOptions } from "./build-grantbot.ts";

export { buildGrantbot, type BuiltGrantbot, type StartOptions, type StopOptions } from "./build-grantbot.ts";

export interface RunningGrantbot {
  url: string;
  port: number;
  deps: ServiceDeps;
  runner: JobRunner;
  store: Stores;
  /** Runs the backstop sweep and a GitHub poll now (tests, demo). */
  tick(): Promise<void>;
  /** Runs one periodic task now, by name: `directory-poll`, `reconcile`, `stale-requests`, ... */
  runTask(name: string): Promise<void>;
  /** Drains HTTP (503 but /healthz), stops the schedule and the jobs (bounded with `boundMs`), closes, unlocks. */
  stop(options?: StopOptions): Promise<void>;
  /** For an immediate exit (second signal, shutdown bound): hands back the running jobs' leases. */
  handBack(): Promise<string[]>;
}

/**
 * Starts grantbot on its data directory (refused while another process has it: data-dir-lock.ts),
 * checks its dependencies first when asked (`dependencyChecks`), and serves until `stop`.
 */
export async function startGrantbot(config: Config, options: StartOptions = {}): Promise<RunningGrantbot> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // One process per SQLite data directory; on PostgreSQL any number of instances share the database.
  const lock = config.database.kind === "sqlite" ? acquireDataDirLock(dataDir, { now: () => clock.now() }) : { release: () => undefined };
  let built: BuiltGrantbot | null = null;
  const health = new DependencyHealth(
    config.scimTargets.map((t) => t.name),
    async () => (built ? (await built.store.jobs.nextWakeAt(), null) : "not open"),
    () => built?.runner.leaseProblem() ?? null,
  );
  try {
    const checker = options.dependencyChecks ? DependencyChecker.fromConfig(config, health, log.child({ component: "health" })) : null;
    const { slackIds } = checker ? await checkAtStartup(checker, log) : {};
    built = await buildGrantbot(config, { ...options, log, ...(slackIds && !options.slackBotIds ? { slackBotIds: slackIds } : {}) });
    return await serveBuilt(built, { health, checker, release: () => lock.release() });
  } catch (err) {
    await built?.close({ boundMs: 0 }).catch(() => undefined);
    lock.release();
    throw err;
  }
}

async function serveBuilt(built: BuiltGrantbot, life: { health: DependencyHealth; checker: DependencyChecker | null; release(): void }): Promise<RunningGrantbot> {
  const { config, deps, runner, store, slack, metrics, log } = built;
  const gh = config.github;
  let phase: "starting" | "ready" | "stopping" = "starting";
  metrics.watchDependencies(() => life.health.upValues());
  metrics.watchInstance(built.instanceId, () => ({ running: runner.inFlight, leaseAgeMs: runner.leaseAgeMs(), leader: built.cluster ? built.cluster.isLeader() : true, listening: built.cluster ? built.cluster.listening() : true }));
  const http = createHttpServer({
    host: config.server.host,
    port: config.server.port,
    log,
    routes: buildRoutes({
      services: deps,
      slackListener: slack.requestListener,
      githubWebhookSecret: gh.webhookSecret?.reveal() ?? null,
      introspectionToken: config.introspectionToken?.reveal() ?? null,
      metrics,
      liveness: () => ({ status: phase }),
      readiness: () => life.health.readiness(phase === "ready"),
      extra: config.directorySecret ? [directoryHookRoute(deps, config.directorySecret.reveal())] : [],
    }),
    onResponse: (route, status) => metrics.httpRequests.inc({ route, status: String(status) }),
    foreground: { paths: ["/slack/events"], enter: () => built.foreground.enter(), leave: () => built.foreground.leave() },
    openWhileDraining: ["/healthz"],
  });
  const { port, url } = await http.listen();

  const scheduler = new CronScheduler(log);
  const checker = life.checker;
  const tasks = scheduleAll({
    scheduler,
    deps,
    settings: {
      githubWebhooks: Boolean(gh.webhookSecret),
      githubPollIntervalMs: gh.pollIntervalMs,
      directoryPollIntervalMs: config.directory?.pollIntervalMs ?? null,
      reconcileIntervalMs: config.reconcileIntervalMs,
      staleRequestAgeMs: config.staleRequestAgeMs,
    },
    peopleSource: built.peopleSource,
    log,
    ...(checker ? { dependencyCheck: { everyMs: RECHECK_EVERY_MS, run: () => checker.checkAll() } } : {}),
    ...(built.cluster ? { cluster: clusterDuties(built.cluster) } : {}),
  });
  const sweep = tasks.get("expiry-sweep")!;

  sweep(); // catch up every expiry missed while down
  runner.start();
  void warmGroupLookups(deps).catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "catalog group lookups at start-up failed"));
  // Socket Mode connects here; an unreachable Slack must not hold the start-up (it keeps trying).
  if (!(await settlesWithin(slack.start(), PROBE_TIMEOUT_MS, systemTimers))) log.warn({ timeoutMs: PROBE_TIMEOUT_MS }, "Slack Socket Mode did not connect in time; still trying");
  phase = "ready";
  log.info({ url, socketMode: config.slack.socketMode, targets: deps.targets.names() }, "grantbot is ready");

  let stopped: Promise<void> | null = null;
  return {
    url,
    port,
    deps,
    runner,
    store,
    tick: async () => {
      await sweep();
      await scheduler.runNow("github-poll", tasks.get("github-poll")!);
    },
    runTask: async (name) => {
      const task = tasks.get(name);
      if (!task) throw new Error(`no periodic task ${name} (known: ${[...tasks.keys()].join(", ")})`);
      await task();
    },
    stop: (opts = {}) =>
      (stopped ??= (async () => {
        phase = "stopping";
        http.drain();
        scheduler.stop();
        await built.stopWork(opts);
        await http.close();
        await built.close();
        life.release();
      })()),
    handBack: () => built.handBack(),
  };
}

/** The schedule's view of the cluster: who leads, its tick, and the leader's key rotation. */
function clusterDuties(cluster: Cluster): ClusterDuties {
  return { isLeader: () => cluster.isLeader(), tickEveryMs: LEADERSHIP_TICK_MS, tick: () => cluster.tick(), rotateKeys: () => cluster.rotateKeys() };
}
