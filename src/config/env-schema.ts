/**
 * The one schema for grantbot's environment variables. Every field carries its documentation
 * (`FieldDoc` via `.meta()`), from which the README reference table is generated.
 */
import { z } from "zod";
import { DATABASE_URL_HINT, databaseUrl, KEY_ENCRYPTION_KEY_HINT, keyEncryptionKey } from "./database-fields.ts";
import { documented, durationMs, integer, matching, secretString, text, urlString, type SecretStrength } from "./fields.ts";
import { readPrivateKey, type ReadFile } from "./private-key.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const GITHUB_APP_VARS = ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"] as const;
const AUTH_CHOICE = "set GITHUB_TOKEN, or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY + GITHUB_APP_INSTALLATION_ID (not both)";
const GENERATE = "generate one with `openssl rand -hex 32`";

/**
 * Minimum strength of the secrets grantbot verifies requests with (fields.ts `secretWeakness`).
 * Slack issues 32-character signing secrets, so anything shorter is the wrong value (often the
 * 24-character legacy verification token). The operator picks the other three; the directory
 * secret and the introspection token guard revocations and credential status, so they need as
 * much entropy as a signing key (32+). A GitHub webhook only tells grantbot to re-read a pull
 * request from the API (nothing in the payload is trusted), so 20 random characters — GitHub's
 * own docs generate 40 hex — are enough and existing secrets of that size keep working.
 */
export const SECRET_STRENGTH = {
  SLACK_SIGNING_SECRET: { minLength: 32, rule: "Slack signing secrets are 32 hexadecimal characters; copy it from Basic Information → App Credentials → Signing Secret (not the verification token)" },
  GITHUB_WEBHOOK_SECRET: { minLength: 20, rule: `anyone who knows it can post webhook deliveries to grantbot; ${GENERATE} and set the same value on GitHub` },
  GRANTBOT_INTROSPECTION_TOKEN: { minLength: 32, rule: `it is the only credential resource servers present on /oauth/introspect; ${GENERATE}` },
  GRANTBOT_DIRECTORY_SECRET: { minLength: 32, rule: `it signs leaver/mover pushes, which revoke access; ${GENERATE}` },
} as const satisfies Record<string, SecretStrength>;

const BRANCH_RE = /^(?![/.-])(?!.*(?:\.\.|\/\/|@\{|\.lock$|[/.]$))[^\s~^:?*[\\\p{Cc}]+$/u;

/** Builds the schema; `readFile` reads GITHUB_APP_PRIVATE_KEY when it names a file. */
export function createEnvSchema(readFile: ReadFile) {
  return z.object({
    SLACK_BOT_TOKEN: documented(secretString({ prefix: "xoxb-", hint: "expected a Slack bot token starting with xoxb-" }), {
      description: "Slack bot token of the grantbot app (OAuth & Permissions page).",
      required: "yes", example: "xoxb-123-456-abc", secret: true, hint: "expected a Slack bot token starting with xoxb-",
    }),
    SLACK_SIGNING_SECRET: documented(secretString({ hint: "expected the Slack app's signing secret", strength: SECRET_STRENGTH.SLACK_SIGNING_SECRET }), {
      description: "Verifies that requests on `POST /slack/events` come from Slack (Basic Information page); 32 characters.",
      required: "yes", example: "8f14e45fceea167a5a36dedd4bea2543", secret: true, hint: "expected the Slack app's signing secret",
    }),
    SLACK_APP_TOKEN: documented(secretString({ prefix: "xapp-", hint: "expected a Slack app-level token starting with xapp-" }).optional(), {
      description: "App-level token; when set, grantbot connects with Socket Mode instead of receiving HTTP requests.",
      required: "no", example: "xapp-1-A111-222-abc", secret: true, hint: "expected a Slack app-level token starting with xapp-",
    }),
    SLACK_API_URL: documented(urlString({ scheme: "http", trailingSlash: "add" }).optional(), {
      description: "Base URL of the Slack Web API (point it at a fake in tests).",
      required: "no", default: "https://slack.com/api/", example: "http://127.0.0.1:4010/api/", hint: "expected an http(s) URL",
    }),
    SLACK_OPS_CHANNEL: documented(matching(/^[CG][A-Z0-9]{6,}$/, "expected a Slack channel id such as C0123456789 (not a #name)").optional(), {
      description: "Channel id for operator alerts (drift, failed revocations, orphaned identities).",
      required: "no", example: "C0OPS00001", hint: "expected a Slack channel id such as C0123456789",
    }),
    GITHUB_REPOSITORY: documented(matching(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, "expected owner/name, e.g. acme/grants"), {
      description: "The grants repository, as owner/name.",
      required: "yes", example: "acme/grants", hint: "expected owner/name, e.g. acme/grants",
    }),
    GITHUB_BASE_BRANCH: documented(matching(BRANCH_RE, "expected a git branch name, e.g. main").default("main"), {
      description: "Branch that grant PRs target; merging into it approves a grant.",
      required: "no", default: "main", example: "main", hint: "expected a git branch name, e.g. main",
    }),
    GITHUB_API_URL: documented(urlString({ scheme: "http", trailingSlash: "strip" }).optional(), {
      description: "GitHub REST API base URL; GitHub Enterprise Server uses `https://<host>/api/v3`.",
      required: "no", default: "https://api.github.com", example: "https://github.example.com/api/v3", hint: "expected an http(s) URL",
    }),
    GITHUB_TOKEN: documented(secretString({ hint: "expected a GitHub token" }).optional(), {
      description: "Token auth: a token that can push branches and open pull requests in the grants repository and read its teams.",
      required: "unless GitHub App auth is used", example: "github_pat_11ABC…", secret: true, hint: AUTH_CHOICE,
    }),
    GITHUB_APP_ID: documented(matching(/^\d+$/, "expected a numeric GitHub App id").optional(), {
      description: "GitHub App auth: the App id.",
      required: "when GITHUB_TOKEN is not set", example: "123456", hint: "expected a numeric GitHub App id",
    }),
    GITHUB_APP_PRIVATE_KEY: documented(text("expected PEM text or a path to a PEM file").transform(readPrivateKey(readFile)).optional(), {
      description: "GitHub App auth: the App's private key, as PEM text (`\\n` escapes allowed) or a path to the .pem file.",
      required: "when GITHUB_APP_ID is set", example: "/run/secrets/grantbot.pem", secret: true, hint: "expected PEM text or a path to a PEM file",
    }),
    GITHUB_APP_INSTALLATION_ID: documented(matching(/^\d+$/, "expected a numeric installation id").optional(), {
      description: "GitHub App auth: the installation id on the grants repository's organisation.",
      required: "when GITHUB_APP_ID is set", example: "7890123", hint: "expected a numeric installation id",
    }),
    GITHUB_WEBHOOK_SECRET: documented(secretString({ hint: "expected the webhook secret configured on GitHub", strength: SECRET_STRENGTH.GITHUB_WEBHOOK_SECRET }).optional(), {
      description: "Enables `POST /github/webhook` (`X-Hub-Signature-256` checked); without it grantbot polls. At least 20 characters.",
      required: "no", example: "$(openssl rand -hex 32)", secret: true, hint: "expected the webhook secret configured on GitHub",
    }),
    GITHUB_POLL_INTERVAL: documented(durationMs().prefault("30s"), {
      description: "How often pull requests are polled (also a safety net when webhooks are on).",
      required: "no", default: "30s", example: "1m", hint: "expected a duration such as 30s or 1m",
    }),
    GRANTBOT_CONFIG: documented(text("expected a file path").optional(), {
      description: "Path to the YAML file with SCIM targets, the directory source and intervals (see below).",
      required: "no", example: "/etc/grantbot/config.yaml", hint: "expected a path to a YAML file",
    }),
    GRANTBOT_DATA_DIR: documented(text("expected a directory path").default("./data"), {
      description: "Directory for the SQLite database and credential signing keys.",
      required: "no", default: "./data", example: "/var/lib/grantbot", hint: "expected a directory path",
    }),
    GRANTBOT_DATABASE_URL: documented(databaseUrl().optional(), {
      description: "PostgreSQL database holding all of grantbot's state, so several instances can run at once; unset = the embedded SQLite database in GRANTBOT_DATA_DIR. Requires GRANTBOT_KEY_ENCRYPTION_KEY.",
      required: "no", example: "postgres://grantbot:…@db.example.com:5432/grantbot", secret: true, hint: DATABASE_URL_HINT,
    }),
    GRANTBOT_KEY_ENCRYPTION_KEY: documented(keyEncryptionKey().optional(), {
      description: "32 random bytes as base64 or base64url that encrypt (AES-256-GCM) the credential signing keys stored in PostgreSQL; every instance needs the same value.",
      required: "when GRANTBOT_DATABASE_URL is set", example: "$(openssl rand -base64 32)", secret: true, hint: KEY_ENCRYPTION_KEY_HINT,
    }),
    GRANTBOT_HOST: documented(matching(/^[A-Za-z0-9.:%-]+$/, "expected a host name or IP address, e.g. 0.0.0.0").default("127.0.0.1"), {
      description: "Address the HTTP server listens on.",
      required: "no", default: "127.0.0.1", example: "0.0.0.0", hint: "expected a host name or IP address, e.g. 0.0.0.0",
    }),
    GRANTBOT_PORT: documented(integer(0, 65_535, "expected a port number 1-65535 (0 = any free port)").default(3000), {
      description: "Port the HTTP server listens on; 0 picks a free port.",
      required: "no", default: "3000", example: "8080", hint: "expected a port number 1-65535 (0 = any free port)",
    }),
    GRANTBOT_PUBLIC_URL: documented(urlString({ scheme: "http", trailingSlash: "strip" }).optional(), {
      description: "External base URL: the credential issuer (`iss`) and links in messages.",
      required: "no", default: "http://<host>:<port>", example: "https://grantbot.example.com", hint: "expected an http(s) URL",
    }),
    GRANTBOT_INTROSPECTION_TOKEN: documented(secretString({ hint: "expected a random token of 32+ characters", strength: SECRET_STRENGTH.GRANTBOT_INTROSPECTION_TOKEN }).optional(), {
      description: "Bearer token resource servers present on `POST /oauth/introspect`. At least 32 characters.",
      required: "no", example: "$(openssl rand -hex 32)", secret: true, hint: "expected a random token of 32+ characters",
    }),
    GRANTBOT_DIRECTORY_SECRET: documented(secretString({ hint: "expected a random key of 32+ characters", strength: SECRET_STRENGTH.GRANTBOT_DIRECTORY_SECRET }).optional(), {
      description: "HMAC key that enables signed leaver/mover pushes on `POST /hooks/directory`. At least 32 characters.",
      required: "no", example: "$(openssl rand -hex 32)", secret: true, hint: "expected a random key of 32+ characters",
    }),
    GRANTBOT_SHUTDOWN_TIMEOUT: documented(durationMs({ minMs: 1_000 }).prefault("10s"), {
      description: "On SIGTERM/SIGINT: how long running jobs may take to finish before their leases are handed back to the queue and the process exits; a second signal exits at once.",
      required: "no", default: "10s", example: "30s", hint: "expected a duration such as 10s or 1m",
    }),
    LOG_LEVEL: documented(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"), {
      description: "pino log level.",
      required: "no", default: "info", example: "debug", hint: `expected one of ${LOG_LEVELS.join(", ")}`,
    }),
  }).superRefine((env, ctx) => {
    // Runs even when single fields failed (`when`), so auth problems are reported with the rest.
    const present = (name: string) => (env as Record<string, unknown>)[name] !== undefined;
    if (present("GRANTBOT_DATABASE_URL") && !present("GRANTBOT_KEY_ENCRYPTION_KEY")) {
      ctx.addIssue({ code: "custom", path: ["GRANTBOT_KEY_ENCRYPTION_KEY"], message: `is not set; it is required with GRANTBOT_DATABASE_URL (the signing keys in the database are encrypted with it): ${KEY_ENCRYPTION_KEY_HINT}` });
    }
    const appSet = GITHUB_APP_VARS.filter(present);
    if (present("GITHUB_TOKEN") && appSet.length > 0) {
      ctx.addIssue({ code: "custom", path: ["GITHUB_TOKEN"], message: `is set together with ${appSet.join(", ")}; ${AUTH_CHOICE}` });
    } else if (!present("GITHUB_TOKEN") && appSet.length === 0) {
      ctx.addIssue({ code: "custom", path: ["GITHUB_TOKEN"], message: `is not set; ${AUTH_CHOICE}` });
    } else if (!present("GITHUB_TOKEN")) {
      for (const missing of GITHUB_APP_VARS.filter((name) => !present(name))) {
        ctx.addIssue({ code: "custom", path: [missing], message: `is not set; GitHub App auth (${appSet.join(", ")} given) needs all of ${GITHUB_APP_VARS.join(", ")}` });
      }
    }
  }, { when: () => true });
}

/** The schema with the default file reader; used for documentation and by `loadConfig`. */
export type EnvSchema = ReturnType<typeof createEnvSchema>;
export type ParsedEnv = z.output<EnvSchema>;

/** The variable names the schema knows, in documentation order. */
export const ENV_VARS = Object.keys(createEnvSchema(() => "").shape) as Array<keyof ParsedEnv>;
