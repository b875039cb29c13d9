/**
 * Builds the Octokit client for github.com or GitHub Enterprise Server (`baseUrl`), with a token
 * or as a GitHub App installation. App installation tokens are fetched from `baseUrl` too
 * (`POST {baseUrl}/app/installations/{id}/access_tokens`) and refreshed by @octokit/auth-app.
 */
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import type { GitHubAuth as ConfiguredAuth } from "../../config/types.ts";
import { AppError } from "../../domain/errors.ts";

export type GithubAuth =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: string; privateKey: string; installationId: string };

export interface CreateOctokitOptions {
  /** `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  baseUrl: string;
  auth: GithubAuth;
  userAgent?: string;
  /** Per-request timeout in ms (default 10 000); a timeout surfaces as `target_unavailable`. */
  timeoutMs?: number;
}

export type GithubClient = Octokit;

/** The configured GitHub credentials, revealed for Octokit. */
export function githubAuthFromConfig(auth: ConfiguredAuth): GithubAuth {
  return auth.kind === "token"
    ? { kind: "token", token: auth.token.reveal() }
    : { kind: "app", appId: auth.appId, privateKey: auth.privateKey.reveal(), installationId: auth.installationId };
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** `fetch` with a fresh timeout per request, combined with any caller signal. */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/**
 * Octokit's request log prints every failed request with `log.error`, including the 404s that
 * mean "absent" here; the adapters map and report failures themselves. Deprecation notices
 * (`log.warn`) are kept.
 */
const quietLog = {
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: () => {},
};

export function createOctokit(opts: CreateOctokitOptions): GithubClient {
  const common = {
    baseUrl: opts.baseUrl.replace(/\/+$/, ""),
    userAgent: opts.userAgent ?? "grantbot",
    request: { fetch: fetchWithTimeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) },
    log: quietLog,
  };
  if (opts.auth.kind === "token") {
    return new Octokit({ ...common, auth: opts.auth.token });
  }
  const installationId = Number(opts.auth.installationId);
  if (!Number.isSafeInteger(installationId) || installationId <= 0) {
    throw new AppError("config_invalid", "GITHUB_APP_INSTALLATION_ID must be a positive integer");
  }
  return new Octokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: opts.auth.appId, privateKey: opts.auth.privateKey, installationId },
  });
}
