import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.ts";
import { ConfigError, loadConfig } from "../../src/config/load-config.ts";
import { Secret } from "../../src/config/secret.ts";

const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const MINIMAL = {
  SLACK_BOT_TOKEN: "xoxb-bot-token-value",
  SLACK_SIGNING_SECRET: "8f14e45fceea167a5a36dedd4bea2543",
  GITHUB_REPOSITORY: "acme/grants",
  GITHUB_TOKEN: "ghp_token_value_123",
};
const APP = { GITHUB_APP_ID: "123456", GITHUB_APP_PRIVATE_KEY: PEM, GITHUB_APP_INSTALLATION_ID: "7890" };
const { GITHUB_TOKEN: _token, ...WITHOUT_TOKEN } = MINIMAL;

function files(contents: Record<string, string>) {
  return (path: string) => {
    const found = contents[path];
    if (found === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return found;
  };
}

function configError(env: NodeJS.ProcessEnv, readFile = files({})): ConfigError {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig: environment", () => {
  it("loads a minimal environment with the documented defaults", () => {
    const config = loadConfig(MINIMAL, files({}));
    expect(config.slack).toMatchObject({ socketMode: false, appToken: undefined, apiUrl: "https://slack.com/api/", opsChannel: undefined });
    expect(config.slack.botToken.reveal()).toBe("xoxb-bot-token-value");
    expect(config.github).toMatchObject({ repository: "acme/grants", owner: "acme", repo: "grants", baseBranch: "main", apiUrl: "https://api.github.com", pollIntervalMs: 30_000, webhookSecret: undefined });
    expect(config.github.auth.kind).toBe("token");
    expect(config).toMatchObject({ server: { host: "127.0.0.1", port: 3000 }, publicUrl: "http://127.0.0.1:3000", dataDir: "./data", logLevel: "info" });
    expect(config).toMatchObject({ introspectionToken: undefined, directorySecret: undefined, configFile: undefined, scimTargets: [], directory: undefined });
  });

  it("returns a deep-frozen config", () => {
    const config = loadConfig(MINIMAL, files({}));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.github.auth)).toBe(true);
    expect(Object.isFrozen(config.scimTargets)).toBe(true);
    expect(() => { (config.server as { port: number }).port = 1; }).toThrow(TypeError);
  });

  it("applies optional settings and derives the public URL from host and port", () => {
    const config = loadConfig({ ...MINIMAL, SLACK_APP_TOKEN: "xapp-1-abc", SLACK_API_URL: "http://127.0.0.1:9000/api", GRANTBOT_HOST: "0.0.0.0", GRANTBOT_PORT: "8080", GITHUB_POLL_INTERVAL: "PT1M", LOG_LEVEL: "debug", GITHUB_API_URL: "https://ghe.example.com/api/v3/" }, files({}));
    expect(config.slack.socketMode).toBe(true);
    expect(config.slack.apiUrl).toBe("http://127.0.0.1:9000/api/");
    expect(config.github.apiUrl).toBe("https://ghe.example.com/api/v3");
    expect(config.publicUrl).toBe("http://0.0.0.0:8080");
    expect(config.github.pollIntervalMs).toBe(60_000);
    expect(config.logLevel).toBe("debug");
  });

  it("treats empty and blank variables as unset", () => {
    const config = loadConfig({ ...MINIMAL, SLACK_APP_TOKEN: "", GRANTBOT_PORT: "  ", GRANTBOT_PUBLIC_URL: "", GITHUB_WEBHOOK_SECRET: " " }, files({}));
    expect(config.slack.socketMode).toBe(false);
    expect(config.github.webhookSecret).toBeUndefined();
    expect(config.server.port).toBe(3000);
  });

  it.each([
    ["SLACK_BOT_TOKEN", "xoxp-user-token", "starting with xoxb-"],
    ["SLACK_APP_TOKEN", "xoxb-wrong", "starting with xapp-"],
    ["SLACK_API_URL", "slack.com/api", "expected an http(s) URL"],
    ["SLACK_OPS_CHANNEL", "#ops", "channel id"],
    ["GITHUB_REPOSITORY", "acme", "expected owner/name, e.g. acme/grants (got \"acme\")"],
    ["GITHUB_BASE_BRANCH", "feature..x", "branch name"],
    ["GITHUB_API_URL", "ftp://github.com", "expected an http(s) URL"],
    ["GITHUB_POLL_INTERVAL", "soon", "\"soon\" is not a duration"],
    ["GRANTBOT_HOST", "http://host", "host name or IP address"],
    ["GRANTBOT_PORT", "65536", "port number 1-65535"],
    ["GRANTBOT_PORT", "80a", "port number 1-65535"],
    ["GRANTBOT_PUBLIC_URL", "grantbot.example.com", "expected an http(s) URL"],
    ["SLACK_SIGNING_SECRET", "0123456789abcdef01234567", "must be at least 32 characters (got 24): Slack signing secrets are 32 hexadecimal characters"],
    ["GITHUB_WEBHOOK_SECRET", "hunter2", "must be at least 20 characters (got 7): anyone who knows it can post webhook deliveries"],
    ["GRANTBOT_INTROSPECTION_TOKEN", "too-short", "must be at least 32 characters (got 9): it is the only credential resource servers present"],
    ["GRANTBOT_DIRECTORY_SECRET", "short", "must be at least 32 characters (got 5): it signs leaver/mover pushes"],
    ["GRANTBOT_DIRECTORY_SECRET", "x".repeat(40), "has only 1 different characters, so it looks like a placeholder"],
    ["LOG_LEVEL", "verbose", "expected one of fatal, error, warn, info, debug, trace, silent"],
  ])("names %s when its value %j is invalid", (name, value, hint) => {
    const error = configError({ ...MINIMAL, [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(`- ${name}: `);
    expect(error.message).toContain(hint);
  });

  it("names every bad variable in one message, one per line", () => {
    const error = configError({ ...MINIMAL, GITHUB_REPOSITORY: "acme", GRANTBOT_PORT: "99999", LOG_LEVEL: "loud", SLACK_OPS_CHANNEL: "ops" });
    expect(error.message.split("\n").slice(1).map((line) => line.split(":")[0])).toEqual(["- SLACK_OPS_CHANNEL", "- GITHUB_REPOSITORY", "- GRANTBOT_PORT", "- LOG_LEVEL"]);
    expect(error.message).toContain('- GITHUB_REPOSITORY: expected owner/name, e.g. acme/grants (got "acme")');
  });

  it("refuses every weak secret in one message, with the rule and without the value", () => {
    const weak = { SLACK_SIGNING_SECRET: "weak-slack-1", GITHUB_WEBHOOK_SECRET: "weak-gh-2", GRANTBOT_INTROSPECTION_TOKEN: "weak-introspection-3", GRANTBOT_DIRECTORY_SECRET: "weak-directory-4" };
    const error = configError({ ...MINIMAL, ...weak });
    expect(error.message.split("\n").slice(1).map((line) => line.split(":")[0])).toEqual(["- SLACK_SIGNING_SECRET", "- GITHUB_WEBHOOK_SECRET", "- GRANTBOT_INTROSPECTION_TOKEN", "- GRANTBOT_DIRECTORY_SECRET"]);
    expect(error.message).toContain("openssl rand -hex 32");
    for (const value of Object.values(weak)) expect(error.message).not.toContain(value);
  });

  it("accepts each secret at its minimum length", () => {
    const config = loadConfig({
      ...MINIMAL, SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef", GITHUB_WEBHOOK_SECRET: "0123456789abcdefghij",
      GRANTBOT_INTROSPECTION_TOKEN: "0123456789abcdef0123456789abcdef", GRANTBOT_DIRECTORY_SECRET: "0123456789abcdef0123456789abcdef",
    }, files({}));
    expect(config.github.webhookSecret?.reveal()).toBe("0123456789abcdefghij");
    expect(config.directorySecret?.reveal()).toHaveLength(32);
  });

  it("names every missing required variable", () => {
    const error = configError({});
    for (const name of ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "GITHUB_REPOSITORY", "GITHUB_TOKEN"]) {
      expect(error.message).toMatch(new RegExp(`^- ${name}: is not set`, "m"));
    }
    expect(error.problems).toHaveLength(4);
  });

  it("is an AppError with code config_invalid", () => {
    const error = configError({});
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("config_invalid");
  });

  it("accepts port 0 and port 65535", () => {
    expect(loadConfig({ ...MINIMAL, GRANTBOT_PORT: "0" }, files({})).server.port).toBe(0);
    expect(loadConfig({ ...MINIMAL, GRANTBOT_PORT: "65535" }, files({})).server.port).toBe(65_535);
  });
});

describe("loadConfig: GitHub auth", () => {
  it("uses token auth when GITHUB_TOKEN is set", () => {
    const { auth } = loadConfig(MINIMAL, files({})).github;
    expect(auth.kind === "token" && auth.token.reveal()).toBe("ghp_token_value_123");
  });

  it("uses GitHub App auth with PEM text", () => {
    const { auth } = loadConfig({ ...WITHOUT_TOKEN, ...APP }, files({})).github;
    expect(auth).toMatchObject({ kind: "app", appId: "123456", installationId: "7890" });
    expect(auth.kind === "app" && auth.privateKey.reveal()).toBe(PEM);
  });

  it("accepts PEM text with literal \\n escapes", () => {
    const { auth } = loadConfig({ ...WITHOUT_TOKEN, ...APP, GITHUB_APP_PRIVATE_KEY: PEM.trim().replace(/\n/g, "\\n") }, files({})).github;
    expect(auth.kind === "app" && auth.privateKey.reveal()).toBe(PEM);
  });

  it("reads the private key from a file when given a path", () => {
    const { auth } = loadConfig({ ...WITHOUT_TOKEN, ...APP, GITHUB_APP_PRIVATE_KEY: "/run/secrets/app.pem" }, files({ "/run/secrets/app.pem": PEM })).github;
    expect(auth.kind === "app" && auth.privateKey.reveal()).toBe(PEM);
  });

  it("names the private key variable and the path when the file cannot be read", () => {
    const error = configError({ ...WITHOUT_TOKEN, ...APP, GITHUB_APP_PRIVATE_KEY: "/missing/app.pem" });
    expect(error.message).toContain('- GITHUB_APP_PRIVATE_KEY: cannot read the file "/missing/app.pem" (ENOENT)');
  });

  it("rejects a file that holds no PEM key without printing its content", () => {
    const error = configError({ ...WITHOUT_TOKEN, ...APP, GITHUB_APP_PRIVATE_KEY: "/keys/app.pem" }, files({ "/keys/app.pem": "not-a-key-content" }));
    expect(error.message).toContain("GITHUB_APP_PRIVATE_KEY: the file \"/keys/app.pem\" does not contain a PEM private key");
    expect(error.message).not.toContain("not-a-key-content");
  });

  it.each([
    [{ GITHUB_APP_ID: "1" }, ["GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"]],
    [{ GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: PEM }, ["GITHUB_APP_INSTALLATION_ID"]],
    [{ GITHUB_APP_INSTALLATION_ID: "9", GITHUB_APP_PRIVATE_KEY: PEM }, ["GITHUB_APP_ID"]],
  ])("names the missing variables of a partial GitHub App config %#", (partial, missing) => {
    const error = configError({ ...WITHOUT_TOKEN, ...partial });
    expect(error.problems.map((problem) => problem.split(":")[0])).toEqual(missing);
    for (const name of missing) expect(error.message).toContain(`- ${name}: is not set; GitHub App auth`);
  });

  it("names the extra variables when both auth modes are given", () => {
    const error = configError({ ...MINIMAL, GITHUB_APP_ID: "1", GITHUB_APP_INSTALLATION_ID: "2" });
    expect(error.message).toContain("- GITHUB_TOKEN: is set together with GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID");
  });

  it("asks for one auth mode when neither is given", () => {
    expect(configError(WITHOUT_TOKEN).message).toContain("- GITHUB_TOKEN: is not set; set GITHUB_TOKEN, or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY + GITHUB_APP_INSTALLATION_ID");
  });
});

describe("loadConfig: secrets", () => {
  const SECRETS = {
    SLACK_BOT_TOKEN: "xoxb-do-not-print-1", SLACK_SIGNING_SECRET: "do-not-print-2-slack-signing-secret", SLACK_APP_TOKEN: "xapp-do-not-print-3",
    GITHUB_TOKEN: "do-not-print-4", GITHUB_WEBHOOK_SECRET: "do-not-print-5-webhook",
    GRANTBOT_INTROSPECTION_TOKEN: "do-not-print-6-introspection-token", GRANTBOT_DIRECTORY_SECRET: "do-not-print-7-directory-push-secret",
  };

  it("never prints secret values in JSON.stringify(config)", () => {
    const config = loadConfig({ ...MINIMAL, ...SECRETS }, files({}));
    const json = JSON.stringify(config);
    expect(json).not.toMatch(/do-not-print/);
    expect(config.introspectionToken).toBeInstanceOf(Secret);
  });

  it("never prints secret values in the error message", () => {
    const bad = { SLACK_BOT_TOKEN: "xoxp-do-not-print-1", SLACK_APP_TOKEN: "xoxb-do-not-print-3", GRANTBOT_INTROSPECTION_TOKEN: "do-not-print-6", GRANTBOT_DIRECTORY_SECRET: "do-not-print-7", GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: `${PEM.slice(0, 60)}do-not-print` };
    const error = configError({ ...MINIMAL, ...SECRETS, ...bad, GITHUB_REPOSITORY: "x" });
    expect(error.problems.length).toBeGreaterThanOrEqual(6);
    expect(error.message).not.toMatch(/do-not-print/);
    expect(error.message).not.toContain(PEM.slice(32, 60));
    expect(JSON.stringify(error)).not.toMatch(/do-not-print/);
  });
});
