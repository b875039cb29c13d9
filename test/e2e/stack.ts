/**
 * The whole of grantbot on one machine: its real HTTP server and job runner (startGrantbot, the
 * same code `serve` runs) against local stand-ins — a fake Slack Web API, a stateful fake GitHub
 * (requests validated against GitHub's OpenAPI description) and one scimmy SCIM server per
 * target — all on 127.0.0.1. Used by the e2e suite, the demo and the benchmark.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/index.ts";
import type { Grant, GrantState } from "../../src/domain/grant.ts";
import { startGrantbot, type RunningGrantbot, type StartOptions } from "../../src/main.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";
import { pullRequestEvent, reviewEvent, signWebhook } from "../fakes/github-webhooks.ts";
import { FakeSlack } from "../fakes/fake-slack/index.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";
import { slashCommandBody, signSlackRequest, stateValue, viewSubmissionBody } from "../fakes/slack-signing.ts";
import { standInEnv, startStandIns } from "../../src/demo/stand-in-world.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SIGNING_SECRET = "e2e-slack-signing-secret-0123456789";
export const WEBHOOK_SECRET = "e2e-github-webhook-secret-0123456789";
export const INTROSPECTION_TOKEN = "e2e-introspection-token-0123456789";
export const GITHUB_TOKEN = "ghp_e2eFakeGithubToken0123456789abcdef";
export const OPS_CHANNEL = "C0OPS00001";

export interface StackPerson {
  email: string;
  github: string;
  slack: string;
  groups?: string[];
}

export interface StackOptions {
  /** Deliver merges by signed webhook (default) or leave grantbot to poll. */
  webhook?: boolean;
  catalogText?: string;
  peopleText?: string;
  grantbot?: StartOptions;
  env?: Record<string, string>;
  /** Extra GRANTBOT_CONFIG YAML appended (e.g. a directory section). */
  configExtra?: string;
  scimProfile?: "generic" | "aws-identity-center";
  /**
   * Where grantbot keeps its state: the SQLite data directory (default) or a fresh database on
   * the vitest run's PostgreSQL server (GRANTBOT_DATABASE_URL and a generated key encryption key).
   */
  database?: "sqlite" | "postgres";
}

/** GRANTBOT_DATABASE_URL (a new database on the vitest run's server) and a random key encryption key. */
async function postgresEnv(): Promise<Record<string, string>> {
  // Imported on demand: test/support/postgres.ts needs the vitest runner, the demo and bench do not.
  const { freshDatabaseUrl } = await import("../support/postgres.ts");
  return { GRANTBOT_DATABASE_URL: await freshDatabaseUrl("stack"), GRANTBOT_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
}

export class Stack {
  grantbot!: RunningGrantbot;
  readonly people: StackPerson[];
  private responseSeq = 0;

  private constructor(
    readonly slack: FakeSlack,
    readonly github: FakeGitHub,
    readonly scim: Map<string, ScimTestServer>,
    readonly dataDir: string,
    readonly env: Record<string, string>,
    readonly catalog: { resources: Record<string, { scim: { target: string; groups: string[] } }> },
    private readonly options: StackOptions,
  ) {
    this.people = (parse(options.peopleText ?? readFileSync(join(ROOT, "grants/people.yaml"), "utf8")) as { people: StackPerson[] }).people;
  }

  static async start(options: StackOptions = {}): Promise<Stack> {
    const catalogText = options.catalogText ?? readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8");
    const peopleText = options.peopleText ?? readFileSync(join(ROOT, "grants/people.yaml"), "utf8");
    const catalog = parse(catalogText) as Stack["catalog"];

    const standIns = await startStandIns({ catalogText, peopleText, scimTokenPrefix: "scim-token", ...(options.scimProfile ? { scimProfile: options.scimProfile } : {}) });
    const { slack, github, scim } = standIns;
    const { dir: dataDir, env } = standInEnv(standIns, {
      dirPrefix: "grantbot-e2e-",
      secrets: { slackSigning: SIGNING_SECRET, introspection: INTROSPECTION_TOKEN, githubToken: GITHUB_TOKEN, webhook: options.webhook === false ? null : WEBHOOK_SECRET },
      publicUrl: "http://grantbot.test",
      opsChannel: OPS_CHANNEL,
      scimTimeout: "2s",
      ...(options.scimProfile ? { scimProfile: options.scimProfile } : {}),
      ...(options.configExtra ? { configExtra: options.configExtra } : {}),
      env: { ...(options.database === "postgres" ? await postgresEnv() : {}), ...options.env },
    });
    const stack = new Stack(slack, github, scim, dataDir, env, catalog, options);
    await stack.startGrantbot();
    return stack;
  }

  async startGrantbot(extra: StartOptions = {}): Promise<void> {
    const config = loadConfig(this.env);
    this.grantbot = await startGrantbot(config, {
      slackBotIds: { botId: this.slack.botId, botUserId: this.slack.botUserId },
      slackRetries: 2,
      ...this.options.grantbot,
      ...extra,
    });
  }

  /** Stops grantbot (not the fakes) and starts it again on the same data directory. */
  async restart(extra: StartOptions = {}): Promise<void> {
    await this.grantbot.stop();
    await this.startGrantbot(extra);
  }

  get url(): string {
    return this.grantbot.url;
  }

  person(name: string): StackPerson {
    const p = this.people.find((x) => x.email.startsWith(`${name}@`));
    if (!p) throw new Error(`no person ${name}`);
    return p;
  }

  // ---- Slack --------------------------------------------------------------------------------

  async postSlack(body: string, opts: { timestampSec?: number; secret?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; ms: number }> {
    const started = performance.now();
    const res = await fetch(`${this.url}/slack/events`, { method: "POST", headers: { ...signSlackRequest(body, opts.secret ?? SIGNING_SECRET, opts.timestampSec), ...opts.headers }, body });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - started };
  }

  /** Types `/access <text>` as a user; returns the HTTP ack and the response_url id. */
  async slash(text: string, userId: string, opts: { triggerId?: string } = {}) {
    const responseId = `r${++this.responseSeq}`;
    const body = slashCommandBody({ text, userId, responseUrl: this.slack.responseUrl(responseId), ...(opts.triggerId ? { triggerId: opts.triggerId } : {}) });
    const ack = await this.postSlack(body);
    return { ...ack, responseId };
  }

  /** Everything the user was told about one slash command: the ack body and response_url posts. */
  async replies(responseId: string, ackText: string, count = 1, timeoutMs = 5000): Promise<string[]> {
    const ack = ackText ? [(JSON.parse(ackText) as { text?: string }).text ?? ""] : [];
    await this.slack.waitFor(() => this.slack.responses(responseId).length >= count, timeoutMs, `${count} response_url post(s)`);
    return [...ack, ...this.slack.responses(responseId).map((r) => String((r.payload as { text?: string }).text ?? ""))];
  }

  async submitModal(userId: string, values: { resource: string; duration: string; reason: string }, privateMetadata = "{}") {
    const body = viewSubmissionBody({
      callbackId: "access_request",
      userId,
      privateMetadata,
      values: {
        resource: { resource_select: stateValue.select(values.resource || null) },
        duration: { duration_input: stateValue.text(values.duration || null) },
        reason: { reason_input: stateValue.text(values.reason || null) },
      },
    });
    return this.postSlack(body);
  }

  dmTexts(userId: string): string[] {
    return this.slack.dmsTo(userId).map((m) => this.slack.visibleText(m.channel, m.ts) ?? "");
  }

  // ---- GitHub -------------------------------------------------------------------------------

  async waitForPr(grantId: string, timeoutMs = 5000): Promise<number> {
    const grant = await this.waitForGrant(grantId, ["pr_open"], timeoutMs);
    return grant.prNumber!;
  }

  approve(pr: number, login: string, commitId?: string): void {
    this.github.addReview(pr, { login, state: "APPROVED", ...(commitId ? { commitId } : {}) });
  }

  /** Merges on the fake and delivers the signed `pull_request.closed` webhook. */
  async merge(pr: number, by = "carol-gh", opts: { deliveryId?: string } = {}): Promise<{ status: number; body: unknown }> {
    this.github.merge(pr, { by });
    return this.deliver("pull_request", pullRequestEvent(this.github, pr), opts);
  }

  async close(pr: number, opts: { deliveryId?: string } = {}): Promise<{ status: number; body: unknown }> {
    this.github.closePr(pr);
    return this.deliver("pull_request", pullRequestEvent(this.github, pr), opts);
  }

  async deliverReview(pr: number): Promise<{ status: number; body: unknown }> {
    return this.deliver("pull_request_review", reviewEvent(this.github, pr));
  }

  async deliver(event: string, payload: unknown, opts: { deliveryId?: string; secret?: string } = {}): Promise<{ status: number; body: unknown }> {
    const signed = await signWebhook(event, payload, opts.secret ?? WEBHOOK_SECRET, opts.deliveryId ? { deliveryId: opts.deliveryId } : {});
    const res = await fetch(`${this.url}/github/webhook`, { method: "POST", headers: signed.headers, body: signed.body });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  // ---- grantbot state -----------------------------------------------------------------------

  async grant(id: string): Promise<Grant> {
    const g = await this.grantbot.deps.grants.get(id);
    if (!g) throw new Error(`no grant ${id}`);
    return g;
  }

  async latestGrant(): Promise<Grant | null> {
    const all = await this.grantbot.deps.grants.listByState(["requested", "pr_open", "approved", "active", "expired", "released", "revoked", "declined", "rejected", "cancelled"], 100_000);
    return all.sort((a, b) => b.requestedAt - a.requestedAt || (b.id > a.id ? 1 : -1))[0] ?? null;
  }

  async waitFor<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 5000, what = "condition"): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitForGrant(id: string, states: GrantState[], timeoutMs = 5000): Promise<Grant> {
    return this.waitFor(async () => {
      const g = await this.grantbot.deps.grants.get(id);
      return g && states.includes(g.state) ? g : null;
    }, timeoutMs, `grant ${id} to be ${states.join("|")} (is ${(await this.grantbot.deps.grants.get(id))?.state ?? "absent"})`);
  }

  /** Waits until the job queue has nothing due or running. */
  async settle(timeoutMs = 10_000): Promise<void> {
    await this.grantbot.runner.drain(timeoutMs);
  }

  members(target: string, group: string): string[] {
    return this.scim.get(target)!.members(group);
  }

  async introspect(token: string, bearer = INTROSPECTION_TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}/oauth/introspect`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The JWT in the credential DM of a grant (null when absent or redacted). */
  async credentialToken(grantId: string): Promise<string | null> {
    const g = await this.grantbot.deps.grants.get(grantId);
    if (!g?.credentialMessage) return null;
    const text = this.slack.visibleText(g.credentialMessage.channel, g.credentialMessage.ts) ?? "";
    return /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;
  }

  async stop(): Promise<void> {
    await this.grantbot?.stop().catch(() => undefined);
    await Promise.allSettled([this.slack.close(), this.github.close(), ...[...this.scim.values()].map((s) => s.close())]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
