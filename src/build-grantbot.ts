/**
 * The composition root's first half: config -> adapters -> services, without serving anything.
 * `startGrantbot` (main.ts) serves what this builds; the one-shot CLI commands (`revoke`,
 * `reconcile`) use it on its own.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { ulid } from "ulid";
import type { Config } from "./config/types.ts";
import { openStores, type Stores } from "./adapters/open-stores.ts";
import { CLUSTER_LEASE_MS, openCluster, PG_PARALLEL_BATCHES, type Cluster } from "./adapters/postgres/cluster.ts";
import { loadOrCreateSigningKeys } from "./adapters/credentials/key-store.ts";
import { JoseCredentialSigner } from "./adapters/credentials/jose-credential-signer.ts";
import { createOctokit, githubAuthFromConfig } from "./adapters/github/octokit.ts";
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
import { createLogger } from "./shared/logger.ts";
import { systemClock, systemTimers } from "./shared/clock.ts";
import type { ServiceDeps } from "./services/deps.ts";
import { JobRunner } from "./services/jobs/runner.ts";
import { Foreground } from "./services/jobs/foreground.ts";
import { jobHandlers } from "./services/jobs/handlers.ts";
import { RepoPolicyProvider } from "./services/policy/policy-provider.ts";
import type { Clock, Log, PeopleSource, Timers } from "./services/ports/index.ts";
import { ScimPeopleSource } from "./adapters/scim/scim-people-source.ts";
import { PROBE_TIMEOUT_MS } from "./adapters/lifecycle/dependency-checker.ts";
import { handBackRunning, settlesWithin, stopRunnerWithin } from "./adapters/lifecycle/bounded-stop.ts";

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
  /**
   * Check Slack, GitHub and every SCIM target once at start-up (a refused credential stops the
   * start with StartupRefusedError) and every 30 s for /readyz. `serve` does; tests and the demo
   * leave it off (their dependencies show as "unchecked").
   */
  dependencyChecks?: boolean;
  /** This process among several instances (default: host, pid and a random suffix). */
  instanceId?: string;
}

/** How a bounded stop goes: running jobs get at most `boundMs`, then their leases are handed back. */
export interface StopOptions {
  boundMs?: number;
}

export interface BuiltGrantbot {
  config: Config;
  deps: ServiceDeps;
  runner: JobRunner;
  store: Stores;
  /** On PostgreSQL: the instance's leadership, job wake-ups and shared signing keys; null on SQLite. */
  cluster: Cluster | null;
  instanceId: string;
  slack: ReturnType<typeof createSlackApp>;
  metrics: PromMetrics;
  log: Log;
  /** The source-of-truth directory (GRANTBOT_CONFIG `directory`), or null. */
  peopleSource: PeopleSource | null;
  /** Slack requests being acknowledged; background jobs wait for them (services/foreground.ts). */
  foreground: Foreground;
  /**
   * Stops the job runner (jobs in flight get `boundMs`, or as long as they take without one; the
   * leases of those still running are then handed back) and Slack. Idempotent: the first call's
   * bound holds. Resolves with the handed-back jobs as `kind#id`.
   */
  stopWork(options?: StopOptions): Promise<string[]>;
  /** For an immediate exit: hands back the leases of the jobs running now (`kind#id`). */
  handBack(): Promise<string[]>;
  /** stopWork, then closes the database. */
  close(options?: StopOptions): Promise<void>;
}

export async function buildGrantbot(config: Config, options: StartOptions = {}): Promise<BuiltGrantbot> {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const log = options.log ?? createLogger({ level: config.logLevel });
  const dataDir = resolve(config.dataDir);
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const store = await openStores(config.database, clock, { instanceId });
  let cluster: Cluster | null = null;
  let signer: JoseCredentialSigner;
  try {
    const recovered = options.recoverJobs === false ? 0 : await store.jobs.requeueRunning();
    if (recovered > 0) log.warn({ jobs: recovered }, "re-queued jobs left running by a previous process");
    if (store.pg && config.database.kind === "postgres") {
      cluster = await openCluster({ store: store.pg, database: config.database, instanceId, clock, log: log.child({ component: "cluster" }), publicUrl: config.publicUrl });
      signer = cluster.signer;
    } else {
      const keys = await loadOrCreateSigningKeys(dataDir, { now: clock.now() });
      log.info({ kid: keys.current.kid, event: keys.event }, "signing keys ready");
      signer = new JoseCredentialSigner({ keys, issuer: config.publicUrl, clock });
    }
  } catch (err) {
    await cluster?.close();
    await store.close();
    throw err;
  }

  const gh = config.github;
  const octokit = createOctokit({ baseUrl: gh.apiUrl, auth: githubAuthFromConfig(gh.auth) });
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
    // Several instances: short leases (renewed a third of a lease apart) so a dead instance's
    // jobs are taken over within seconds; one process: a crash is recovered at restart anyway.
    leaseMs: store.kind === "postgres" ? CLUSTER_LEASE_MS : 120_000,
    retry: config.jobRetry,
    groupClaims: store.kind === "sqlite",
    parallelBatches: store.kind === "postgres" ? PG_PARALLEL_BATCHES : 1,
  });
  jobRunner = runner;
  cluster?.listen(runner);
  registerSlackHandlers(slack.app, { deps, slack: slackExperience, directory });
  let stopping: Promise<string[]> | null = null;
  const stopWork = (opts: StopOptions = {}) =>
    (stopping ??= (async () => {
      const handedBack = await stopRunnerWithin(runner, store.jobs, opts.boundMs, timers, log);
      // Socket Mode's disconnect may wait on an unreachable Slack.
      await settlesWithin(slack.stop(), PROBE_TIMEOUT_MS, timers);
      return handedBack;
    })());

  return {
    config,
    deps,
    runner,
    store,
    cluster,
    instanceId,
    slack,
    metrics,
    log,
    foreground,
    peopleSource: config.directory
      ? ScimPeopleSource.fromConfig({ name: "directory", baseUrl: config.directory.url, token: config.directory.token.reveal(), profile: config.directory.profile })
      : null,
    stopWork,
    handBack: async () => (store.isOpen() ? handBackRunning(runner, store.jobs) : []),
    close: async (opts) => {
      await stopWork(opts);
      await cluster?.close();
      await store.close();
    },
  };
}
