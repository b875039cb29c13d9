/**
 * The local stand-ins seeded for one grants repository, and the environment that points grantbot
 * at them — shared by `grantbot demo` (world.ts), the e2e stack (test/e2e/stack.ts) and the crash
 * and benchmark world (test/crash/world.ts), so they cannot drift apart: a fake Slack with every
 * person of people.yaml, a fake GitHub holding catalog.yaml and people.yaml on its base branch, and
 * one SCIM server per catalog target with those people and the catalog's groups.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { FakeGitHub, FakeSlack, ScimTestServer } from "./stand-ins.ts";

export interface StandInPerson {
  email: string;
  github: string;
  slack: string;
  groups?: string[];
}

type Catalog = { resources: Record<string, { scim: { target: string; groups: string[] } }> };

export interface StandInOptions {
  catalogText: string;
  peopleText: string;
  /** `owner/name` of the grants repository (default acme/grants). */
  repository?: string;
  /** Prefix of each SCIM target's bearer token (`<prefix>-<target>-0123456789`). */
  scimTokenPrefix: string;
  scimProfile?: "generic" | "aws-identity-center";
  /** Added latency per request at every stand-in (ms). */
  rttMs?: number;
  /** Largest page each SCIM server returns. */
  scimPageSize?: number;
}

export interface StandIns {
  slack: FakeSlack;
  github: FakeGitHub;
  scim: Map<string, ScimTestServer>;
  targets: string[];
  people: StandInPerson[];
  repository: string;
  scimToken(target: string): string;
}

export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const catalog = parse(options.catalogText) as Catalog;
  const people = (parse(options.peopleText) as { people: StandInPerson[] }).people;
  const repository = options.repository ?? "acme/grants";
  const rttMs = options.rttMs ?? 0;
  const slack = await FakeSlack.start({ rttMs });
  const github = await FakeGitHub.start({ repository });
  github.rttMs = rttMs;
  github.seed({ "grants/catalog.yaml": options.catalogText, "grants/people.yaml": options.peopleText });
  for (const p of people) slack.addUser({ id: p.slack, email: p.email, name: p.email.split("@")[0]! });
  const scimToken = (target: string) => `${options.scimTokenPrefix}-${target}-0123456789`;
  const scim = new Map<string, ScimTestServer>();
  const targets = [...new Set(Object.values(catalog.resources).map((r) => r.scim.target))];
  for (const name of targets) {
    const server = await ScimTestServer.start({
      token: scimToken(name),
      rttMs,
      ...(options.scimProfile ? { profile: options.scimProfile } : {}),
      ...(options.scimPageSize ? { pageSize: options.scimPageSize } : {}),
    });
    for (const p of people) server.createUser({ userName: p.email, displayName: p.email.split("@")[0]! });
    for (const g of new Set(Object.values(catalog.resources).filter((r) => r.scim.target === name).flatMap((r) => r.scim.groups))) server.createGroup(g);
    scim.set(name, server);
  }
  return { slack, github, scim, targets, people, repository, scimToken };
}

export interface StandInEnvOptions {
  /** Prefix of the temporary directory holding the data directory and GRANTBOT_CONFIG. */
  dirPrefix: string;
  secrets: { slackSigning: string; introspection: string; githubToken: string; webhook: string | null };
  publicUrl: string;
  opsChannel: string;
  scimProfile?: string;
  /** SCIM request timeout in GRANTBOT_CONFIG (omitted: grantbot's default). */
  scimTimeout?: string;
  jobRetry?: string;
  /** More GRANTBOT_CONFIG YAML (e.g. a directory section). */
  configExtra?: string;
  env?: Record<string, string>;
}

/** Writes GRANTBOT_CONFIG into a new temporary directory; returns it and grantbot's environment. */
export function standInEnv(s: StandIns, o: StandInEnvOptions): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), o.dirPrefix));
  const configPath = join(dir, "grantbot.yaml");
  const targetsYaml = s.targets
    .map((name) => `    - name: ${name}\n      url: ${s.scim.get(name)!.url}\n      token: \${SCIM_TOKEN_${name.toUpperCase()}}\n      profile: ${o.scimProfile ?? "generic"}${o.scimTimeout ? `\n      timeout: ${o.scimTimeout}` : ""}`)
    .join("\n");
  writeFileSync(configPath, `scim:\n  targets:\n${targetsYaml}\nreconcile_interval: 15m\njob_retry: ${o.jobRetry ?? "{ base: 1s, max: 5s }"}\n${o.configExtra ?? ""}`);
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: s.slack.token,
    SLACK_SIGNING_SECRET: o.secrets.slackSigning,
    SLACK_API_URL: s.slack.apiUrl,
    SLACK_OPS_CHANNEL: o.opsChannel,
    GITHUB_REPOSITORY: s.repository,
    GITHUB_API_URL: s.github.url,
    GITHUB_TOKEN: o.secrets.githubToken,
    GITHUB_POLL_INTERVAL: "1s",
    GRANTBOT_CONFIG: configPath,
    GRANTBOT_DATA_DIR: join(dir, "data"),
    GRANTBOT_HOST: "127.0.0.1",
    GRANTBOT_PORT: "0",
    GRANTBOT_PUBLIC_URL: o.publicUrl,
    GRANTBOT_INTROSPECTION_TOKEN: o.secrets.introspection,
    LOG_LEVEL: "silent",
    ...Object.fromEntries(s.targets.map((name) => [`SCIM_TOKEN_${name.toUpperCase()}`, s.scimToken(name)])),
    ...(o.secrets.webhook ? { GITHUB_WEBHOOK_SECRET: o.secrets.webhook } : {}),
    ...o.env,
  };
  return { dir, env };
}
