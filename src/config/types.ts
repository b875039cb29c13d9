/**
 * The validated, deep-frozen configuration `loadConfig` returns. Durations are milliseconds,
 * secrets are `Secret`s (they print as `*****`; call `.reveal()` where the value is used).
 */
import type { LogLevel } from "./env-schema.ts";
import type { ScimProfile } from "./file-schema.ts";
import type { Secret } from "./secret.ts";

export type { LogLevel } from "./env-schema.ts";
export type { ScimProfile } from "./file-schema.ts";

export interface Config {
  readonly slack: SlackConfig;
  readonly github: GitHubConfig;
  readonly server: { readonly host: string; readonly port: number };
  /** External base URL without a trailing slash: credential issuer (`iss`) and links. */
  readonly publicUrl: string;
  /** Directory for the SQLite database and signing keys, as given (relative to the working directory). */
  readonly dataDir: string;
  /** Where state lives: SQLite in the data dir (default) or PostgreSQL (GRANTBOT_DATABASE_URL). */
  readonly database: DatabaseConfig;
  /** Bearer token required on POST /oauth/introspect; undefined = introspection refused. */
  readonly introspectionToken: Secret | undefined;
  /** HMAC key for POST /hooks/directory; undefined = the endpoint is disabled. */
  readonly directorySecret: Secret | undefined;
  readonly logLevel: LogLevel;
  /** GRANTBOT_SHUTDOWN_TIMEOUT: the bound on a graceful stop after SIGTERM/SIGINT, in ms. */
  readonly shutdownTimeoutMs: number;
  /** The GRANTBOT_CONFIG path, when one was given. */
  readonly configFile: string | undefined;
  readonly scimTargets: readonly ScimTargetConfig[];
  /** Source-of-truth directory; undefined = no directory polling. */
  readonly directory: DirectoryConfig | undefined;
  readonly reconcileIntervalMs: number;
  readonly notifyBeforeExpiryMs: number;
  readonly staleRequestAgeMs: number;
  readonly offboardingPendingAfterMs: number;
  readonly jobRetry: { readonly baseMs: number; readonly maxMs: number };
}

export interface SlackConfig {
  readonly botToken: Secret;
  readonly signingSecret: Secret;
  /** When set, Socket Mode is used instead of HTTP (`socketMode` is true). */
  readonly appToken: Secret | undefined;
  readonly socketMode: boolean;
  /** Slack Web API base, always ending with `/` (Bolt's `clientOptions.slackApiUrl`). */
  readonly apiUrl: string;
  readonly opsChannel: string | undefined;
}

export type DatabaseConfig =
  | { readonly kind: "sqlite"; readonly dataDir: string }
  | {
      readonly kind: "postgres";
      /** GRANTBOT_DATABASE_URL (it carries the password). */
      readonly url: Secret;
      /**
       * GRANTBOT_KEY_ENCRYPTION_KEY as standard base64 of its 32 bytes; `keyEncryptionKeyBytes()`
       * (config/database-fields.ts) gives the bytes.
       */
      readonly keyEncryptionKey: Secret;
    };

export type GitHubAuth =
  | { readonly kind: "token"; readonly token: Secret }
  | { readonly kind: "app"; readonly appId: string; readonly privateKey: Secret; readonly installationId: string };

export interface GitHubConfig {
  /** `owner/name`. */
  readonly repository: string;
  readonly owner: string;
  readonly repo: string;
  readonly baseBranch: string;
  /** REST API base without a trailing slash (Octokit `baseUrl`). */
  readonly apiUrl: string;
  readonly auth: GitHubAuth;
  /** undefined = no webhook endpoint; grantbot relies on polling. */
  readonly webhookSecret: Secret | undefined;
  readonly pollIntervalMs: number;
}

export interface ScimTargetConfig {
  readonly name: string;
  /** SCIM base URL without a trailing slash. */
  readonly url: string;
  readonly token: Secret;
  readonly profile: ScimProfile;
  readonly timeoutMs: number;
  readonly maxConcurrency: number;
}

export interface DirectoryConfig {
  readonly url: string;
  readonly token: Secret;
  readonly pollIntervalMs: number;
  readonly profile: ScimProfile;
}

/** The part of `Config` that comes from the GRANTBOT_CONFIG file (or its defaults). */
export type FileConfig = Pick<Config, "scimTargets" | "directory" | "reconcileIntervalMs" | "notifyBeforeExpiryMs" | "staleRequestAgeMs" | "offboardingPendingAfterMs" | "jobRetry">;
