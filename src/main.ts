/**
 * Composition root: config -> adapters -> services -> HTTP server + job runner + scheduler.
 * `grantbot serve` and `grantbot demo` both start grantbot through `startGrantbot`; only the
 * remote endpoints in the config differ.
 */
import { resolve } from "node:path";
import { ulid } from "ulid";
import type { Config } from "./config/types.ts";
import { openStore, type Store } from "./adapters/sqlite/open-store.ts";
import { loadOrCreateSigningKeys } from "./adapters/credentials/key-store.ts";
import { JoseCredentialSigner } from "./adapters/credentials/jose-credential-signer.ts";
import { createOctokit } from "./adapters/github/octokit.ts";
import { OctokitChangeRequests } from "./adapters/github/change-requests.ts";
import { OctokitGrantsSource } from "./adapters/github/grants-source.ts";
import { createGroupDirectories, scimTargetsFromConfig } from "./adapters/scim/group-directories.ts";
import { createSlackApp } from "./adapters/slack/slack-app.ts";
import { SlackIdentities } from "./adapters/slack/slack-identities.ts";
import { SlackNotifier } from "./adapters/slack/slack-notifier.ts";
import { registerSlackHandlers } from "./adapters/slack/registrations.ts";
import { SlackWebSurfaces } from "./adapters/slack/slack-surfaces.ts";
import type { SlackExperience } from "./services/ports/slack.ts";
import { PromMetrics } from "./adapters/http/metrics.ts";
import { buildRoutes } from "./adapters/http/routes.ts";
import { createHttpServer } from "./adapters/http/server.ts";
import { CronScheduler } from "./adapters/scheduler/scheduler.ts";
import { createLogger } from "./shared/logger.ts";
import { systemClock, systemTimers } from "./shared/clock.ts";
import type { ServiceDeps } from "./services/deps.ts";
import { JobRunner } from "./services/jobs/runner.ts";
import { Foreground } from "./services/jobs/foreground.ts";
import { jobHandlers } from "./services/jobs/handlers.ts";
import { RepoPolicyProvider } from "./services/policy/policy-provider.ts";
import { warmGroupLookups } from "./services/targets/warm-group-lookups.ts";
import type { Clock, Log, PeopleSource, Timers } from "./services/ports/index.ts";
import { ScimPeopleSource } from "./adapters/scim/scim-people-source.ts";
import { directoryHookRoute } from "./adapters/http/directory-hook.ts";
import { scheduleAll } from "./services/schedule.ts";

export interface StartOptions {
  clock?: Clock;
  timers?: Timers;
  log?: Log;
  /** Known Slack bot ids (skip Bolt's auth.test). */
  slackBotIds?: { botId: string; botUserId: string };
  /** Slack Web API retries (tests use 0). */
  slackRetries?: number;
  jobConcurrency?: number;
  /** false: leave jobs another process has running alone (CLI one-shots next to `serve`). */
  recoverJobs?: boolean;
  /** How long a catalog read is reused before asking GitHub again (default 2 s). */
  policyMaxAgeMs?: number;
}

export interface BuiltGrantbot {
  config: Config;
  deps: ServiceDeps;
  runner: JobRunner;
  store: Store;
  slack: ReturnType<typeof createSlackApp>;
  metrics: PromMetrics;
  log: Log;
  /** The source-of-truth directory (GRANTBOT_CONFIG `directory`), or null. */
  peopleSource: PeopleSource | null;
  /** Slack requests being acknowledged; background jobs wait for them (services/foreground.ts). */
  foreground: Foreground;
  /** Stops the runner (waiting for jobs in flight) and closes the database. */
  close(): Promise<void>;
}

export interface RunningGrantbot {
  url: string;
  port: number;
  deps: ServiceDeps;
  runner: JobRunner;
  store: Store;
  /** Runs the backstop sweep and a GitHub poll now (tests, demo). */
  tick(): Promise<void>;
  /** Runs one periodic task now, by name: `directory-poll`, `reconcile`, `stale-requests`, ... */
  runTask(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function buildGrantbot(config: Config, options: StartOptions = {}): Promise<BuiltGrantbot> {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const log = options.log ?? createLogger({ level: config.logLevel });
  const dataDir = resolve(config.dataDir);
  const store = openStore(dataDir, clock);
  const recovered = options.recoverJobs === false ? 0 : store.jobs.requeueRunning();
  if (recovered > 0) log.warn({ jobs: recovered }, "re-queued jobs left running by a previous process");

  const keys = await loadOrCreateSigningKeys(dataDir, { now: clock.now() });
  log.info({ kid: keys.current.kid, event: keys.event }, "signing keys ready");
  const signer = new JoseCredentialSigner({ keys, issuer: config.publicUrl, clock });

  const gh = config.github;
  const octokit = createOctokit({
    baseUrl: gh.apiUrl,
    auth: gh.auth.kind === "token" ? { kind: "token", token: gh.auth.token.reveal() } : { kind: "app", appId: gh.auth.appId, privateKey: gh.auth.privateKey.reveal(), installationId: gh.auth.installationId },
  });
  const changes = new OctokitChangeRequests({ octokit, owner: gh.owner, repo: gh.repo, baseBranch: gh.baseBranch });
  const source = new OctokitGrantsSource({ octokit, owner: gh.owner, repo: gh.repo, baseBranch: gh.baseBranch });
  const targets = createGroupDirectories(scimTargetsFromConfig(config.scimTargets), { log: log.child({ component: "scim" }) });
  const metrics = new PromMetrics(store.jobs, { defaultMetrics: true });

  const slack = createSlackApp({
    botToken: config.slack.botToken.reveal(),
    signingSecret: config.slack.signingSecret.reveal(),
    appToken: config.slack.appToken?.reveal() ?? null,
    apiUrl: config.slack.apiUrl,
    log: log.child({ component: "slack" }),
    ...(options.slackRetries === undefined ? {} : { retries: options.slackRetries }),
    ...(options.slackBotIds ?? {}),
  });
  let notifier: SlackNotifier | null = null;
  const policy = new RepoPolicyProvider(source, log, (message) => {
    void notifier?.ops({ kind: "ops_alert", title: "The grants catalog on the base branch is invalid", detail: `${message}. grantbot keeps using the last valid version.` }).catch(() => undefined);
  }, clock, options.policyMaxAgeMs ?? 2_000);
  const directory = new SlackIdentities(slack.app.client, policy, clock);
  notifier = new SlackNotifier(slack.app.client, directory, clock, config.slack.opsChannel ?? null);
  // Slack experience (issue 5): request cards, approvals so far, Home tabs.
  const slackExperience: SlackExperience = {
    cards: store.cards,
    homeUsers: store.homeUsers,
    surfaces: new SlackWebSurfaces(slack.app.client, directory),
    opsChannel: config.slack.opsChannel ?? null,
  };

  let jobRunner: JobRunner | null = null;
  const foreground = new Foreground();
  const deps: ServiceDeps = {
    clock,
    tx: store.transactor,
    grants: store.grants,
    jobs: store.jobs,
    audit: store.audit,
    credentials: store.credentials,
    deliveries: store.deliveries,
    policy,
    targets,
    changes,
    notifier,
    signer,
    log,
    metrics,
    settings: {
      repository: gh.repository,
      baseBranch: gh.baseBranch,
      publicUrl: config.publicUrl,
      retry: config.jobRetry,
      notifyBeforeExpiryMs: config.notifyBeforeExpiryMs,
      staleRequestAgeMs: config.staleRequestAgeMs,
      offboardingPendingAfterMs: config.offboardingPendingAfterMs,
    },
    ids: { next: () => ulid(clock.now()) },
    wake: () => jobRunner?.wake(),
    foreground,
    people: store.people,
    offboarding: store.offboarding,
    homeUsers: store.homeUsers,
    breakglass: store.breakglass,
    reviews: store.reviews,
    usage: store.usage,
  };
  const runner = new JobRunner({ jobs: store.jobs, clock, timers, log, metrics, tx: store.transactor, foreground }, jobHandlers(deps, slackExperience), {
    concurrency: options.jobConcurrency ?? 32,
    leaseMs: 120_000,
    retry: config.jobRetry,
  });
  jobRunner = runner;
  registerSlackHandlers(slack.app, { deps, slack: slackExperience, directory });

  return {
    config,
    deps,
    runner,
    store,
    slack,
    metrics,
    log,
    foreground,
    peopleSource: config.directory
      ? ScimPeopleSource.fromConfig({ name: "directory", baseUrl: config.directory.url, token: config.directory.token.reveal(), profile: config.directory.profile })
      : null,
    close: async () => {
      await runner.stop();
      await slack.stop();
      store.close();
    },
  };
}

export async function startGrantbot(config: Config, options: StartOptions = {}): Promise<RunningGrantbot> {
  const built = await buildGrantbot(config, options);
  const { deps, runner, store, slack, metrics, log } = built;
  const gh = config.github;
  const targets = deps.targets;
  let ready = false;
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
      isReady: () => ready,
      extra: config.directorySecret ? [directoryHookRoute(deps, config.directorySecret.reveal())] : [],
    }),
    onResponse: (route, status) => metrics.httpRequests.inc({ route, status: String(status) }),
    foreground: { paths: ["/slack/events"], enter: () => built.foreground.enter(), leave: () => built.foreground.leave() },
  });
  const { port, url } = await http.listen();

  const scheduler = new CronScheduler(log);
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
  });
  const sweep = tasks.get("expiry-sweep")!;

  sweep(); // catch up every expiry missed while down
  runner.start();
  void warmGroupLookups(deps).catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "catalog group lookups at start-up failed"));
  await slack.start();
  ready = true;
  log.info({ url, socketMode: config.slack.socketMode, targets: targets.names() }, "grantbot is ready");

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
    stop: async () => {
      ready = false;
      scheduler.stop();
      await http.close();
      await built.close();
    },
  };
}
