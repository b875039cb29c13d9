/**
 * `loadConfig(env)`: validates the environment and the GRANTBOT_CONFIG file in one pass and
 * returns a deep-frozen `Config`, or throws one `ConfigError` naming every offending variable.
 */
import fs from "node:fs";
import { AppError } from "../domain/errors.ts";
import { defaultConfigFile, loadConfigFile } from "./config-file.ts";
import { createEnvSchema, ENV_VARS, type ParsedEnv } from "./env-schema.ts";
import { envProblems } from "./issues.ts";
import type { ReadFile } from "./private-key.ts";
import type { Config, DatabaseConfig, FileConfig, GitHubAuth } from "./types.ts";

export type { ReadFile } from "./private-key.ts";

/** Thrown by `loadConfig`; `problems` holds one line per offending variable or YAML path. */
export class ConfigError extends AppError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("config_invalid", `grantbot configuration is invalid:\n${problems.map((problem) => `- ${problem}`).join("\n")}`);
    this.problems = Object.freeze([...problems]);
  }
}

const readUtf8: ReadFile = (path) => fs.readFileSync(path, "utf8");

/**
 * Validates `env` (and the file GRANTBOT_CONFIG names, read with `readFile`). Empty variables
 * count as unset; values are trimmed. Throws `ConfigError` listing every problem; never echoes
 * a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, readFile: ReadFile = readUtf8): Config {
  const raw = pickEnv(env);
  const schema = createEnvSchema(readFile);
  const parsed = schema.safeParse(raw);
  const problems = parsed.success ? [] : envProblems(parsed.error.issues, raw, schema.shape);

  let file: FileConfig | undefined = raw.GRANTBOT_CONFIG === undefined ? defaultConfigFile() : undefined;
  if (raw.GRANTBOT_CONFIG !== undefined) {
    const result = loadConfigFile(raw.GRANTBOT_CONFIG, env, readFile);
    if (result.ok) file = result.config;
    else problems.push(...result.problems);
  }

  if (!parsed.success || file === undefined || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(toConfig(parsed.data, file));
}

/** The known variables of `env`, trimmed, with empty values treated as unset. */
export function pickEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {};
  for (const name of ENV_VARS) {
    const value = env[name]?.trim();
    picked[name] = value === "" ? undefined : value;
  }
  return picked;
}

function toConfig(env: ParsedEnv, file: FileConfig): Config {
  const [owner = "", repo = ""] = env.GITHUB_REPOSITORY.split("/");
  const host = env.GRANTBOT_HOST;
  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      socketMode: env.SLACK_APP_TOKEN !== undefined,
      apiUrl: env.SLACK_API_URL ?? "https://slack.com/api/",
      opsChannel: env.SLACK_OPS_CHANNEL,
    },
    github: {
      repository: env.GITHUB_REPOSITORY,
      owner,
      repo,
      baseBranch: env.GITHUB_BASE_BRANCH,
      apiUrl: env.GITHUB_API_URL ?? "https://api.github.com",
      auth: githubAuth(env),
      webhookSecret: env.GITHUB_WEBHOOK_SECRET,
      pollIntervalMs: env.GITHUB_POLL_INTERVAL,
    },
    server: { host, port: env.GRANTBOT_PORT },
    publicUrl: env.GRANTBOT_PUBLIC_URL ?? `http://${host.includes(":") ? `[${host}]` : host}:${env.GRANTBOT_PORT}`,
    dataDir: env.GRANTBOT_DATA_DIR,
    database: databaseConfig(env),
    introspectionToken: env.GRANTBOT_INTROSPECTION_TOKEN,
    directorySecret: env.GRANTBOT_DIRECTORY_SECRET,
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.GRANTBOT_SHUTDOWN_TIMEOUT,
    configFile: env.GRANTBOT_CONFIG,
    ...file,
  };
}

function databaseConfig(env: ParsedEnv): DatabaseConfig {
  const { GRANTBOT_DATABASE_URL: url, GRANTBOT_KEY_ENCRYPTION_KEY: keyEncryptionKey } = env;
  if (!url) return { kind: "sqlite", dataDir: env.GRANTBOT_DATA_DIR };
  // The schema's check guarantees the key with a URL; this guards against it changing.
  if (!keyEncryptionKey) throw new ConfigError(["GRANTBOT_KEY_ENCRYPTION_KEY: is not set"]);
  return { kind: "postgres", url, keyEncryptionKey };
}

function githubAuth(env: ParsedEnv): GitHubAuth {
  if (env.GITHUB_TOKEN) return { kind: "token", token: env.GITHUB_TOKEN };
  const { GITHUB_APP_ID: appId, GITHUB_APP_PRIVATE_KEY: privateKey, GITHUB_APP_INSTALLATION_ID: installationId } = env;
  // The schema's auth check guarantees one complete mode; this guards against it changing.
  if (!appId || !privateKey || !installationId) throw new ConfigError(["GITHUB_TOKEN: is not set"]);
  return { kind: "app", appId, privateKey, installationId };
}

/** Freezes plain objects and arrays recursively (Secrets are frozen too; their value is private). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
