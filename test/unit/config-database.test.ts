/**
 * GRANTBOT_DATABASE_URL and GRANTBOT_KEY_ENCRYPTION_KEY: the PostgreSQL back end's settings.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { decodeKeyEncryptionKey, keyEncryptionKeyBytes } from "../../src/config/database-fields.ts";
import { ConfigError, loadConfig } from "../../src/config/load-config.ts";

const MINIMAL = {
  SLACK_BOT_TOKEN: "xoxb-bot-token-value",
  SLACK_SIGNING_SECRET: "8f14e45fceea167a5a36dedd4bea2543",
  GITHUB_REPOSITORY: "acme/grants",
  GITHUB_TOKEN: "ghp_token_value_123",
};
const KEY = randomBytes(32);
const PASSWORD = "s3cr3t-Pa55word";
const URL = `postgres://grantbot:${PASSWORD}@db.example.com:5432/grantbot?sslmode=require`;
const noFiles = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
};

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env, noFiles);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig: database", () => {
  it("keeps SQLite in the data dir when GRANTBOT_DATABASE_URL is unset", () => {
    expect(loadConfig({ ...MINIMAL, GRANTBOT_DATA_DIR: "/var/lib/grantbot" }, noFiles).database).toEqual({ kind: "sqlite", dataDir: "/var/lib/grantbot" });
    expect(loadConfig(MINIMAL, noFiles).database).toEqual({ kind: "sqlite", dataDir: "./data" });
  });

  it.each([
    ["postgres://", URL, KEY.toString("base64")],
    ["postgresql:// with a base64url key without padding", "postgresql://grantbot@/grantbot?host=/var/run/postgresql", KEY.toString("base64url")],
    ["a padded base64url key", "postgres://db/grantbot", `${KEY.toString("base64url")}=`],
  ])("uses PostgreSQL for a %s URL, the URL and key as Secrets", (_what, url, key) => {
    const config = loadConfig({ ...MINIMAL, GRANTBOT_DATABASE_URL: url, GRANTBOT_KEY_ENCRYPTION_KEY: key }, noFiles);
    expect(config.database.kind).toBe("postgres");
    if (config.database.kind !== "postgres") return;
    expect(config.database.url.reveal()).toBe(url);
    expect(keyEncryptionKeyBytes(config.database.keyEncryptionKey).equals(KEY)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it("never prints the database URL or the key", () => {
    const config = loadConfig({ ...MINIMAL, GRANTBOT_DATABASE_URL: URL, GRANTBOT_KEY_ENCRYPTION_KEY: KEY.toString("base64") }, noFiles);
    const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), `${String(config.database.kind === "postgres" && config.database.url)}`].join("\n");
    expect(printed).not.toContain(PASSWORD);
    expect(printed).not.toContain("db.example.com");
    expect(printed).not.toContain(KEY.toString("base64"));
  });

  it("refuses GRANTBOT_DATABASE_URL without GRANTBOT_KEY_ENCRYPTION_KEY, naming the key", () => {
    expect(problems({ ...MINIMAL, GRANTBOT_DATABASE_URL: URL })).toEqual([
      expect.stringMatching(/^GRANTBOT_KEY_ENCRYPTION_KEY: is not set; it is required with GRANTBOT_DATABASE_URL .*openssl rand -base64 32/),
    ]);
    expect(problems({ ...MINIMAL, GRANTBOT_DATABASE_URL: URL, GRANTBOT_KEY_ENCRYPTION_KEY: "  " })).toEqual([expect.stringMatching(/^GRANTBOT_KEY_ENCRYPTION_KEY: is not set/)]);
  });

  it("accepts a key without a URL (it is then unused)", () => {
    expect(loadConfig({ ...MINIMAL, GRANTBOT_KEY_ENCRYPTION_KEY: KEY.toString("base64") }, noFiles).database.kind).toBe("sqlite");
  });

  it.each([
    ["mysql://u:p@db/grantbot", /expected a postgres:\/\/ or postgresql:\/\/ URL/],
    ["https://db.example.com/grantbot", /expected a postgres:\/\/ or postgresql:\/\/ URL/],
    ["postgres://user:pass word@db/grantbot", /expected a postgres:\/\/ or postgresql:\/\/ URL/],
    ["db.internal:5432/grantbot", /expected a postgres:\/\/ or postgresql:\/\/ URL/],
    ["not a url", /expected a postgres:\/\/ or postgresql:\/\/ URL/],
  ])("refuses GRANTBOT_DATABASE_URL=%s without echoing it", (url, message) => {
    const found = problems({ ...MINIMAL, GRANTBOT_DATABASE_URL: url, GRANTBOT_KEY_ENCRYPTION_KEY: KEY.toString("base64") });
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^GRANTBOT_DATABASE_URL: /);
    expect(found[0]).not.toContain(url);
  });

  it.each([
    ["16 bytes", randomBytes(16).toString("base64"), /decodes to 16 bytes, not 32/],
    ["33 bytes", randomBytes(33).toString("base64url"), /decodes to 33 bytes, not 32/],
    ["hex", randomBytes(32).toString("hex"), /decodes to 48 bytes, not 32/],
    ["mixed alphabets", `${KEY.toString("base64").slice(0, 40)}+-_A`, /is not base64 or base64url/],
    ["spaces inside", `${KEY.toString("base64").slice(0, 20)} ${KEY.toString("base64").slice(20)}`, /is not base64 or base64url/],
    ["a placeholder", Buffer.alloc(32, 0).toString("base64"), /only 1 different byte values, so it looks like a placeholder/],
  ])("refuses a key of %s without echoing it", (_what, key, message) => {
    const found = problems({ ...MINIMAL, GRANTBOT_DATABASE_URL: URL, GRANTBOT_KEY_ENCRYPTION_KEY: key });
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^GRANTBOT_KEY_ENCRYPTION_KEY: .*openssl rand -base64 32/);
    expect(found[0]).not.toContain(key.trim());
  });

  it("lists a bad URL and a missing key together with the other problems", () => {
    const found = problems({ ...MINIMAL, GITHUB_REPOSITORY: "acme", GRANTBOT_DATABASE_URL: "mysql://db" });
    expect(found.map((p) => p.split(":")[0])).toEqual(["GITHUB_REPOSITORY", "GRANTBOT_DATABASE_URL", "GRANTBOT_KEY_ENCRYPTION_KEY"]);
  });

  it("decodes the key's text the same way for the cipher", () => {
    expect(decodeKeyEncryptionKey(KEY.toString("base64url"))).toEqual({ ok: true, bytes: KEY });
    expect(decodeKeyEncryptionKey("")).toMatchObject({ ok: false });
  });
});
