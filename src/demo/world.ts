/**
 * The world of `grantbot demo`: grantbot's real server and job runner (startGrantbot, the code
 * `serve` runs) with a temporary data directory, against local stand-ins — a fake Slack Web API, a
 * fake GitHub holding the grants repository, one SCIM server per catalog target — all on
 * 127.0.0.1, seeded from the package's grants/catalog.yaml and grants/people.yaml. The methods are
 * what people do (type a command, approve, merge) and what the demo reads back.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadConfig } from "../config/index.ts";
import type { Grant, GrantState } from "../domain/grant.ts";
import { startGrantbot, type RunningGrantbot } from "../main.ts";
import { pullRequestClosedPayload, reviewSubmittedPayload, signWebhook } from "./github-webhooks.ts";
import { slashCommandBody, signSlackRequest } from "./slack-signing.ts";
import type { FakeGitHub, FakeSlack, ScimTestServer, FakeMessage } from "./stand-ins.ts";
import { standInEnv, startStandIns } from "./stand-in-world.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REPOSITORY = "acme/grants";
const SIGNING_SECRET = "demo-slack-signing-secret-0123456789";
const WEBHOOK_SECRET = "demo-github-webhook-secret-0123456789";
const INTROSPECTION_TOKEN = "demo-introspection-token-0123456789";
export const OPS_CHANNEL = "C0OPS00001";

export interface DemoPerson {
  email: string;
  github: string;
  slack: string;
  groups?: string[];
}

export interface DemoWorldOptions {
  /** Extra GRANTBOT_CONFIG YAML (e.g. a directory section). */
  configExtra?: string;
  env?: Record<string, string>;
}


/** The people of the package's grants/people.yaml. */
export function demoPeople(): DemoPerson[] {
  return (parse(readFileSync(join(ROOT, "grants/people.yaml"), "utf8")) as { people: DemoPerson[] }).people;
}

export class DemoWorld {
  private constructor(
    readonly grantbot: RunningGrantbot,
    readonly slack: FakeSlack,
    readonly github: FakeGitHub,
    readonly scim: Map<string, ScimTestServer>,
    readonly env: Record<string, string>,
    readonly people: DemoPerson[],
    private readonly dataDir: string,
  ) {}

  static async start(options: DemoWorldOptions = {}): Promise<DemoWorld> {
    const catalogText = readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8");
    const peopleText = readFileSync(join(ROOT, "grants/people.yaml"), "utf8");
    const standIns = await startStandIns({ catalogText, peopleText, repository: REPOSITORY, scimTokenPrefix: "demo-scim-token" });
    const { slack, github, scim } = standIns;
    const { dir: dataDir, env } = standInEnv(standIns, {
      dirPrefix: "grantbot-demo-",
      secrets: { slackSigning: SIGNING_SECRET, introspection: INTROSPECTION_TOKEN, githubToken: "ghp_demoFakeGithubToken0123456789abcdef", webhook: WEBHOOK_SECRET },
      publicUrl: "http://grantbot.demo",
      opsChannel: OPS_CHANNEL,
      ...(options.configExtra ? { configExtra: options.configExtra } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    const people = demoPeople();
    const grantbot = await startGrantbot(loadConfig(env), { slackBotIds: { botId: slack.botId, botUserId: slack.botUserId }, slackRetries: 2 });
    return new DemoWorld(grantbot, slack, github, scim, env, people, dataDir);
  }

  get url(): string {
    return this.grantbot.url;
  }

  person(name: string): DemoPerson {
    const p = this.people.find((x) => x.email.startsWith(`${name}@`));
    if (!p) throw new Error(`no person ${name}`);
    return p;
  }

  /** A person types `/access <text>` in Slack; returns the HTTP status of the ack and its latency. */
  async slash(text: string, userId: string): Promise<{ status: number; ms: number }> {
    const body = slashCommandBody({ text, userId, responseUrl: this.slack.responseUrl(`demo-${Date.now()}`) });
    const started = performance.now();
    const res = await fetch(`${this.url}/slack/events`, { method: "POST", headers: signSlackRequest(body, SIGNING_SECRET), body });
    await res.text();
    return { status: res.status, ms: performance.now() - started };
  }

  /** `login` approves the PR's head commit on GitHub, which sends `pull_request_review`. */
  async approve(pr: number, login: string): Promise<number> {
    const id = this.github.addReview(pr, { login, state: "APPROVED" });
    const review = (this.github.state.reviews.get(pr) ?? []).find((r) => r.id === id)!;
    return this.deliver("pull_request_review", reviewSubmittedPayload(REPOSITORY, this.github.pull(pr), review));
  }

  /** `by` merges the PR on GitHub, which sends `pull_request.closed`; returns the webhook's HTTP status. */
  async merge(pr: number, by: string): Promise<number> {
    this.github.merge(pr, { by });
    return this.deliver("pull_request", pullRequestClosedPayload(REPOSITORY, this.github.pull(pr)));
  }

  private async deliver(event: string, payload: unknown): Promise<number> {
    const signed = await signWebhook(event, payload, WEBHOOK_SECRET);
    const res = await fetch(`${this.url}/github/webhook`, { method: "POST", headers: signed.headers, body: signed.body });
    await res.text();
    return res.status;
  }

  async waitFor<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async grant(id: string): Promise<Grant> {
    const g = await this.grantbot.deps.grants.get(id);
    if (!g) throw new Error(`no grant ${id}`);
    return g;
  }

  /** The newest grant requested by `email`. */
  async latestGrantOf(email: string): Promise<Grant | null> {
    return (await this.grantbot.deps.grants.listBySubject(email, ["requested", "pr_open", "approved", "active"])).sort((a, b) => b.requestedAt - a.requestedAt || (b.id > a.id ? 1 : -1))[0] ?? null;
  }

  async waitForGrant(id: string, states: GrantState[], timeoutMs = 10_000): Promise<Grant> {
    return this.waitFor(async () => {
      const g = await this.grantbot.deps.grants.get(id);
      return g && states.includes(g.state) ? g : null;
    }, timeoutMs, `grant ${id} to be ${states.join("|")}`);
  }

  /** The grant's current text of its DMs to `userId`. */
  dmTexts(userId: string): string[] {
    return this.slack.dmsTo(userId).map((m) => this.slack.visibleText(m.channel, m.ts) ?? "");
  }

  /** The request card grantbot posted in the resource's channel, as Slack holds it now. */
  async channelCard(grantId: string): Promise<FakeMessage | null> {
    const copy = (await this.grantbot.store.cards.messages(grantId)).find((c) => c.audience === "channel");
    return copy ? (this.slack.message(copy.channel, copy.ts) ?? null) : null;
  }

  members(target: string, group: string): string[] {
    return this.scim.get(target)!.members(group);
  }

  /** The JWT in the grant's credential DM (null when absent or redacted). */
  async credentialToken(grantId: string): Promise<string | null> {
    const g = await this.grantbot.deps.grants.get(grantId);
    if (!g?.credentialMessage) return null;
    const text = this.slack.visibleText(g.credentialMessage.channel, g.credentialMessage.ts) ?? "";
    return /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;
  }

  /** What a resource server learns from `POST /oauth/introspect`. */
  async introspect(token: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/oauth/introspect`, {
      method: "POST",
      headers: { authorization: `Bearer ${INTROSPECTION_TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  /** Waits until the job queue has nothing due or running. */
  async settle(timeoutMs = 10_000): Promise<void> {
    await this.grantbot.runner.drain(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.grantbot.stop().catch(() => undefined);
    await Promise.allSettled([this.slack.close(), this.github.close(), ...[...this.scim.values()].map((s) => s.close())]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
