/** The options and fixed secrets of the crash suite's and benchmark's world (world.ts). */
export const SIGNING_SECRET = "child-slack-signing-secret-0123456789";
export const WEBHOOK_SECRET = "child-github-webhook-secret-0123456789";
export const INTROSPECTION_TOKEN = "child-introspection-token-0123456789";
export const GITHUB_TOKEN = "ghp_childFakeGithubToken0123456789abcdef";
export const OPS_CHANNEL = "C0OPS00001";

export interface WorldPerson {
  email: string;
  github: string;
  slack: string;
  groups?: string[];
}

export interface WorldOptions {
  catalogText?: string;
  /** people.yaml text; default the repository's. */
  peopleText?: string;
  /** Added latency per request at every fake (ms). */
  rttMs?: number;
  /** Deliver merges by signed webhook (default) or leave grantbot to poll. */
  webhook?: boolean;
  /** Extra env for the child (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Appended to GRANTBOT_CONFIG. */
  configExtra?: string;
  /** job_retry in GRANTBOT_CONFIG (default `{ base: 1s, max: 5s }`). */
  jobRetry?: string;
  /** SCIM request timeout (default 2s). */
  scimTimeout?: string;
  jobConcurrency?: number;
  slackRetries?: number;
  /** Extra node flags for the child (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /**
   * Scheduling priority of the child (os.setPriority; negative = favoured). The benchmark favours
   * grantbot over the fakes, which stand in for remote systems that would have their own CPUs.
   */
  priority?: number;
  /**
   * A source-of-truth directory (a scimmy SCIM server seeded with the people, their `groups` as
   * directory groups), polled every `pollInterval` (default 5m), and signed pushes with `secret`.
   */
  directory?: { secret: string; pollInterval?: string };
  /**
   * Run the child on this (empty) PostgreSQL database instead of SQLite. Each start is a new
   * process with a new instance id (the product's default), so after a kill -9 the jobs it held
   * are taken over when their leases run out.
   */
  databaseUrl?: string;
}
