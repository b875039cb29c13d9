import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/config-file.ts";
import { ConfigError, loadConfig } from "../../src/config/load-config.ts";

const ENV = {
  SLACK_BOT_TOKEN: "xoxb-bot-token-value",
  SLACK_SIGNING_SECRET: "8f14e45fceea167a5a36dedd4bea2543",
  GITHUB_REPOSITORY: "acme/grants",
  GITHUB_TOKEN: "ghp_token_value_123",
  GRANTBOT_CONFIG: "/etc/grantbot.yaml",
  AWS_SCIM_TOKEN: "aws-scim-token-do-not-print",
  DIRECTORY_SCIM_TOKEN: "directory-token-do-not-print",
};

const PRODUCT_EXAMPLE = `
scim:
  targets:
    - name: aws
      url: https://scim.us-east-1.amazonaws.com/abc/scim/v2
      token: \${AWS_SCIM_TOKEN}
      profile: generic
directory:
  url: https://idp.example.com/scim/v2
  token: \${DIRECTORY_SCIM_TOKEN}
  poll_interval: 5m
reconcile_interval: 15m
`;

function load(yaml: string, env: NodeJS.ProcessEnv = ENV) {
  return loadConfig(env, (path) => {
    if (path !== "/etc/grantbot.yaml") throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    return yaml;
  });
}

function problems(yaml: string, env: NodeJS.ProcessEnv = ENV): string {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected loadConfig to throw");
}

describe("GRANTBOT_CONFIG", () => {
  it("uses the defaults with zero targets and no directory when GRANTBOT_CONFIG is not set", () => {
    const { GRANTBOT_CONFIG: _path, ...env } = ENV;
    const config = loadConfig(env, () => { throw new Error("no file should be read"); });
    expect(config).toMatchObject({
      scimTargets: [], directory: undefined, configFile: undefined,
      reconcileIntervalMs: 900_000, notifyBeforeExpiryMs: 600_000, staleRequestAgeMs: 604_800_000,
      offboardingPendingAfterMs: 120_000, jobRetry: { baseMs: 1_000, maxMs: 300_000 },
    });
  });

  it("loads the PRODUCT.md example with camelCase fields and defaults", () => {
    const config = load(PRODUCT_EXAMPLE);
    expect(config.configFile).toBe("/etc/grantbot.yaml");
    expect(config.scimTargets).toHaveLength(1);
    expect(config.scimTargets[0]).toMatchObject({ name: "aws", url: "https://scim.us-east-1.amazonaws.com/abc/scim/v2", profile: "generic", timeoutMs: 10_000, maxConcurrency: 8 });
    expect(config.scimTargets[0]?.token.reveal()).toBe("aws-scim-token-do-not-print");
    expect(config.directory).toMatchObject({ url: "https://idp.example.com/scim/v2", pollIntervalMs: 300_000, profile: "generic" });
    expect(config.directory?.token.reveal()).toBe("directory-token-do-not-print");
    expect(config.reconcileIntervalMs).toBe(900_000);
  });

  it("reads the optional keys", () => {
    const config = load(`${PRODUCT_EXAMPLE}notify_before_expiry: 5m\nstale_request_age: 3d\noffboarding_pending_after: 90s\njob_retry: { base: 2s, max: 10m }\n`);
    expect(config).toMatchObject({ notifyBeforeExpiryMs: 300_000, staleRequestAgeMs: 259_200_000, offboardingPendingAfterMs: 90_000, jobRetry: { baseMs: 2_000, maxMs: 600_000 } });
  });

  it("accepts http only for loopback targets", () => {
    const yaml = (url: string) => `scim:\n  targets:\n    - { name: local, url: "${url}", token: t, profile: entra, timeout: 2s, max_concurrency: 2 }\n`;
    expect(load(yaml("http://127.0.0.1:8080/scim/v2")).scimTargets[0]).toMatchObject({ url: "http://127.0.0.1:8080/scim/v2", timeoutMs: 2_000, maxConcurrency: 2 });
    expect(problems(yaml("http://scim.example.com/v2"))).toContain('- GRANTBOT_CONFIG scim.targets[0].url: expected an https URL (http only for localhost), e.g. https://scim.example.com/scim/v2 (got "http://scim.example.com/v2") at /etc/grantbot.yaml:3');
  });

  it("replaces ${VAR} in any string value, including ones that are not tokens", () => {
    const config = load(PRODUCT_EXAMPLE.replace("name: aws", "name: ${TARGET_NAME}"), { ...ENV, TARGET_NAME: "aws-prod" });
    expect(config.scimTargets[0]?.name).toBe("aws-prod");
  });

  it("names the variable and the YAML path of a reference to an unset variable", () => {
    const { AWS_SCIM_TOKEN: _unset, ...env } = ENV;
    const message = problems(PRODUCT_EXAMPLE, env);
    expect(message).toContain("- GRANTBOT_CONFIG scim.targets[0].token: references ${AWS_SCIM_TOKEN}, which is not set in the environment at /etc/grantbot.yaml:6");
    expect(message.split("\n")).toHaveLength(2);
  });

  it("keeps $${X} as a literal ${X}", () => {
    const result = parseConfigFile("scim:\n  targets:\n    - { name: a, url: https://a.example.com, token: \"p$${NOT_A_VAR}q\", profile: google }\n", "c.yaml", {});
    expect(result.ok && result.config.scimTargets[0]?.token.reveal()).toBe("p${NOT_A_VAR}q");
  });

  it("reports a malformed reference", () => {
    expect(problems("reconcile_interval: ${oops\n")).toContain("- GRANTBOT_CONFIG reconcile_interval: has a ${ without a closing }");
  });

  it("gives file:line for a YAML syntax error", () => {
    const message = problems("scim:\n  targets: [\n    - name: aws\n");
    expect(message).toMatch(/- GRANTBOT_CONFIG: \/etc\/grantbot\.yaml:\d+:\d+: /);
    expect(problems("a: 1\na: 2\n")).toContain("- GRANTBOT_CONFIG: /etc/grantbot.yaml:2:1: Map keys must be unique");
  });

  it("names the file when it cannot be read", () => {
    expect(problems("", { ...ENV, GRANTBOT_CONFIG: "/nope.yaml" })).toContain('- GRANTBOT_CONFIG: cannot read "/nope.yaml" (ENOENT)');
  });

  it("rejects duplicate target names", () => {
    const twice = `${PRODUCT_EXAMPLE.split("directory:")[0]}    - name: aws\n      url: https://other.example.com\n      token: t\n      profile: slack\n`;
    expect(problems(twice)).toContain('- GRANTBOT_CONFIG scim.targets[1].name: duplicate target name "aws" (also scim.targets[0]) at /etc/grantbot.yaml:8');
  });

  it("lists every problem in the file together with the environment's", () => {
    const message = problems("scim:\n  targets:\n    - name: aws\n      url: https://a.example.com\n      profile: okta\n      max_concurrency: 0\nreconcile_intervall: 5m\ndirectory:\njob_retry: { base: 10m, max: 1m }\n", { ...ENV, GITHUB_REPOSITORY: "acme" });
    for (const line of [
      '- GITHUB_REPOSITORY: expected owner/name, e.g. acme/grants (got "acme")',
      "- GRANTBOT_CONFIG scim.targets[0].token: is required at /etc/grantbot.yaml:3",
      '- GRANTBOT_CONFIG scim.targets[0].profile: expected one of generic, aws-identity-center, google, github-emu, slack, entra (got "okta") at /etc/grantbot.yaml:5',
      "- GRANTBOT_CONFIG scim.targets[0].max_concurrency: expected a whole number from 1 to 1000 (got 0) at /etc/grantbot.yaml:6",
      "- GRANTBOT_CONFIG reconcile_intervall: unknown key (check the spelling) at /etc/grantbot.yaml:7",
      "- GRANTBOT_CONFIG directory: expected a mapping with url and token",
      "- GRANTBOT_CONFIG job_retry.max: must be at least job_retry.base",
    ]) expect(message).toContain(line);
  });

  it("rejects a directory poll interval below one second and a top level that is not a mapping", () => {
    expect(problems(PRODUCT_EXAMPLE.replace("poll_interval: 5m", "poll_interval: 0s"))).toContain("- GRANTBOT_CONFIG directory.poll_interval: duration \"0s\" must be longer than zero");
    expect(problems("- a\n")).toContain("- GRANTBOT_CONFIG: expected a YAML mapping at the top level");
  });

  it("never prints token values, nor values that came from the environment", () => {
    const message = problems(PRODUCT_EXAMPLE.replace("https://idp.example.com/scim/v2", "${DIRECTORY_SCIM_TOKEN}").replace("profile: generic", "profile: ${AWS_SCIM_TOKEN}"));
    expect(message).toContain("- GRANTBOT_CONFIG directory.url: expected an https URL");
    expect(message).not.toMatch(/do-not-print/);
    expect(JSON.stringify(load(PRODUCT_EXAMPLE))).not.toMatch(/do-not-print/);
  });
});
