/**
 * One cheap, bounded check per dependency, each telling apart a remote that refuses grantbot's
 * credential (stop: the operator has to fix a variable) from one that is unreachable, slow or
 * failing (start degraded, keep re-checking):
 * - Slack: `auth.test` (no retries) — invalid_auth, not_authed, account_inactive, token_revoked,
 *   token_expired, not_allowed_token_type refuse SLACK_BOT_TOKEN; it also yields the bot's ids.
 * - GitHub: `GET /repos/{GITHUB_REPOSITORY}/branches/{GITHUB_BASE_BRANCH}` (a read grantbot makes
 *   anyway; it proves the repository and its base branch are visible) — 401 refuses the token (or
 *   the App credentials), 403 (other than a rate limit) and 404 mean it cannot see them.
 * - SCIM: a group lookup by a displayName no real group has (`GET /Groups?filter=displayName eq …`,
 *   the request grantbot's own group lookups make, with the target's profile) — 401/403 refuse the
 *   target's token. /ServiceProviderConfig is not used: providers may serve it without auth.
 * A probe never throws and never takes longer than its `timeoutMs`.
 */
import { webApi } from "@slack/bolt";
import type { GithubClient } from "../github/octokit.ts";
import type { DependencyState } from "./dependency-health.ts";

export interface ProbeOutcome {
  state: DependencyState;
  /** Slack only: the bot's ids from auth.test (Bolt then makes no auth.test of its own). */
  slackIds?: { botId: string; botUserId: string };
}

export type Probe = () => Promise<ProbeOutcome>;

/** The group a SCIM probe looks up; not found is the expected answer. */
export const PROBE_GROUP = "grantbot-readiness-check";

class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`timeout after ${ms} ms`);
  }
}

/** `promise`, or a ProbeTimeout after `ms` (the promise's own outcome is then ignored). */
export async function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const down = (reason: string): ProbeOutcome => ({ state: { kind: "down", reason } });
const rejected = (reason: string, message: string): ProbeOutcome => ({ state: { kind: "rejected", reason, message } });
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

const SLACK_REFUSALS = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"]);
const quietSlackLogger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => webApi.LogLevel.ERROR, setName() {} };

export function slackProbe(options: { token: string; apiUrl: string; timeoutMs: number }): Probe {
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs,
    logger: quietSlackLogger,
  });
  return async () => {
    try {
      const result = await bounded(client.auth.test(), options.timeoutMs);
      const ids = result.bot_id && result.user_id ? { slackIds: { botId: result.bot_id, botUserId: result.user_id } } : {};
      return { state: { kind: "ok" }, ...ids };
    } catch (err) {
      if (err instanceof ProbeTimeout) return down(err.message);
      const e = err as { code?: string; data?: { error?: string }; statusCode?: number; original?: Error };
      if (e.code === webApi.ErrorCode.PlatformError) {
        const code = e.data?.error ?? "unknown_error";
        if (SLACK_REFUSALS.has(code)) {
          return rejected(code, `SLACK_BOT_TOKEN was rejected by Slack (${code}): check the xoxb- token of the installed app (OAuth & Permissions → Bot User OAuth Token)`);
        }
        return down(`auth.test answered ${code}`);
      }
      if (e.code === webApi.ErrorCode.HTTPError) return down(`HTTP ${e.statusCode ?? "error"}`);
      if (e.code === webApi.ErrorCode.RateLimitedError) return down("rate limited");
      return down(`unreachable: ${e.original?.message ?? messageOf(err)}`);
    }
  };
}

export function githubProbe(options: { octokit: GithubClient; repository: string; baseBranch: string; auth: "token" | "app"; timeoutMs: number }): Probe {
  const [owner = "", repo = ""] = options.repository.split("/");
  const vars = options.auth === "token" ? "GITHUB_TOKEN was" : "GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID were";
  const holder = options.auth === "token" ? "GITHUB_TOKEN" : "the GitHub App installation";
  return async () => {
    try {
      const request = { signal: AbortSignal.timeout(options.timeoutMs) };
      await bounded(options.octokit.rest.repos.getBranch({ owner, repo, branch: options.baseBranch, request }), options.timeoutMs);
      return { state: { kind: "ok" } };
    } catch (err) {
      if (err instanceof ProbeTimeout) return down(err.message);
      const e = err as { status?: number; response?: { headers?: Record<string, unknown>; data?: unknown } };
      if (typeof e.status !== "number" || !e.response) return down(`unreachable: ${messageOf(err)}`);
      const data = e.response.data as { message?: unknown } | undefined;
      const said = typeof data?.message === "string" ? ` ${data.message}` : "";
      const rateLimited = e.status === 429 || (e.status === 403 && (e.response.headers?.["x-ratelimit-remaining"] === "0" || e.response.headers?.["retry-after"] !== undefined));
      if (rateLimited) return down("rate limited");
      if (e.status === 401) {
        return rejected(`${e.status}${said}`, `${vars} rejected by GitHub (401${said}): ${options.auth === "token" ? "check that the token is current" : "check the App id, its private key and the installation id"}`);
      }
      if (e.status === 403) {
        return rejected(`${e.status}${said}`, `${holder} may not read GITHUB_REPOSITORY ${options.repository} (403${said}): give it access to that repository (Contents and Pull requests: read & write)`);
      }
      if (e.status === 404) {
        return rejected(`${e.status}${said}`, `GITHUB_REPOSITORY ${options.repository} (branch GITHUB_BASE_BRANCH ${options.baseBranch}) was not found with ${holder} (404): check both names, and that ${holder} has access to the repository`);
      }
      return down(`HTTP ${e.status}${said}`);
    }
  };
}

export function scimProbe(options: { target: string; findGroup(displayName: string): Promise<unknown>; timeoutMs: number }): Probe {
  const prefix = `SCIM target ${options.target}: `;
  return async () => {
    try {
      await bounded(options.findGroup(PROBE_GROUP), options.timeoutMs);
      return { state: { kind: "ok" } };
    } catch (err) {
      if (err instanceof ProbeTimeout) return down(err.message);
      const status = (err as { status?: unknown }).status;
      const message = messageOf(err);
      const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
      if (status === 401 || status === 403) {
        return rejected(reason, `SCIM target ${options.target} rejected grantbot's token (${status}): check the token of target ${options.target} in GRANTBOT_CONFIG (scim.targets[].token)`);
      }
      return down(reason);
    }
  };
}
