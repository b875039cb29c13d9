/**
 * Several `grantbot serve` processes (bin/grantbot.js, as an operator runs them) on one fresh
 * PostgreSQL database, against one set of stand-ins in this test process: the fake Slack, the
 * stateful fake GitHub, one SCIM server per catalog target, and a source-of-truth directory (a
 * SCIM server, polled). Every instance has the same environment; each picks its own instance id
 * (serve has no knob for it: host, pid and a random suffix), read back from its start-up log.
 *
 * The test reaches any instance by name (signed slash commands, signed webhooks, introspection,
 * /metrics), kills one with SIGKILL, and reads the database with the product's PostgreSQL stores
 * over its own pool.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openPgStore, type PgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import type { Grant, GrantState } from "../../src/domain/grant.ts";
import { standInEnv, startStandIns, type StandIns } from "../../src/demo/stand-in-world.ts";
import { pullRequestEvent, signWebhook } from "../fakes/github-webhooks.ts";
import { slashCommandBody, signSlackRequest } from "../fakes/slack-signing.ts";
import { freshDatabaseUrl } from "../support/postgres.ts";
import { startDirectory, type TestDirectory } from "../e2e/directory-fixture.ts";
import { GrantbotProcess } from "../e2e/serve-process.ts";
import { GITHUB_TOKEN, INTROSPECTION_TOKEN, OPS_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET } from "../e2e/stack.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ISSUER = "http://grantbot.test";

export interface Instance {
  /** The test's name for it: A, B, C, ... */
  name: string;
  proc: GrantbotProcess;
  url: string;
  /** grantbot's own instance id (jobs.leased_by, the `instance` label on /metrics). */
  id: string;
  alive: boolean;
}

export interface ClusterOptions {
  instances?: number;
  /** Directory poll interval (GRANTBOT_CONFIG `directory.poll_interval`, default 1s). */
  directoryPoll?: string;
}

export class ClusterWorld {
  readonly instances: Instance[] = [];
  private seq = 0;

  private constructor(
    readonly standIns: StandIns,
    readonly directory: TestDirectory,
    readonly dir: string,
    readonly env: Record<string, string>,
    readonly databaseUrl: string,
    readonly keyEncryptionKey: string,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<ClusterWorld> {
    const catalogText = readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8");
    const peopleText = readFileSync(join(ROOT, "grants/people.yaml"), "utf8");
    const standIns = await startStandIns({ catalogText, peopleText, scimTokenPrefix: "scim-token", scimPageSize: 500 });
    const directory = await startDirectory();
    directory.server.pageSize = 100;
    const directoryOptions = directory.stackOptions("", false);
    const databaseUrl = await freshDatabaseUrl("cluster");
    const keyEncryptionKey = randomBytes(32).toString("base64");
    const { dir, env } = standInEnv(standIns, {
      dirPrefix: "grantbot-cluster-",
      secrets: { slackSigning: SIGNING_SECRET, introspection: INTROSPECTION_TOKEN, githubToken: GITHUB_TOKEN, webhook: WEBHOOK_SECRET },
      publicUrl: ISSUER,
      opsChannel: OPS_CHANNEL,
      scimTimeout: "2s",
      configExtra: directoryOptions.configExtra!.replace("poll_interval: 5m", `poll_interval: ${options.directoryPoll ?? "1s"}`),
      env: { ...directoryOptions.env, GRANTBOT_DATABASE_URL: databaseUrl, GRANTBOT_KEY_ENCRYPTION_KEY: keyEncryptionKey, LOG_LEVEL: "info" },
    });
    const world = new ClusterWorld(standIns, directory, dir, env, databaseUrl, keyEncryptionKey);
    // Started together: migrations and the first signing key race, as in a real roll-out.
    await Promise.all(Array.from({ length: options.instances ?? 3 }, () => world.spawn()));
    return world;
  }

  /** Starts one more `grantbot serve` on the shared database; resolves once it listens. */
  async spawn(): Promise<Instance> {
    const name = String.fromCharCode(65 + this.instances.length);
    const proc = GrantbotProcess.start(["serve"], this.env);
    const instance: Instance = { name, proc, url: "", id: "", alive: true };
    this.instances.push(instance);
    void proc.exited.then(() => (instance.alive = false));
    instance.url = await proc.listening();
    instance.id = String(proc.logLines("signing keys ready (shared by the cluster)")[0]?.instanceId ?? "");
    if (!instance.id) throw new Error(`instance ${name} did not log its instance id`);
    return instance;
  }

  get slack() {
    return this.standIns.slack;
  }
  get github() {
    return this.standIns.github;
  }
  scim(target: string) {
    return this.standIns.scim.get(target)!;
  }

  instance(name: string): Instance {
    const found = this.instances.find((i) => i.name === name || i.id === name);
    if (!found) throw new Error(`no instance ${name}`);
    return found;
  }

  alive(): Instance[] {
    return this.instances.filter((i) => i.alive);
  }

  /** kill -9 and wait until the process is gone. */
  async kill(instance: Instance): Promise<void> {
    instance.proc.kill("SIGKILL");
    await instance.proc.exited;
  }

  // ---- talking to one instance --------------------------------------------------------------

  /** `/access <text>` as `userId` on `instance`; resolves with the grant id of the "filed" reply. */
  async requestOn(instance: Instance, text: string, userId: string): Promise<string> {
    const responseId = `cluster-r${++this.seq}`;
    const body = slashCommandBody({ text, userId, responseUrl: this.slack.responseUrl(responseId) });
    const res = await fetch(`${instance.url}/slack/events`, { method: "POST", headers: signSlackRequest(body, SIGNING_SECRET), body });
    const ack = await res.text();
    if (res.status !== 200) throw new Error(`slash command on ${instance.name} answered ${res.status}: ${ack}`);
    return until(() => {
      const texts = [ack, ...this.slack.responses(responseId).map((r) => JSON.stringify(r.payload))];
      return texts.map((t) => /Request `([0-9A-Z]{26})` filed/.exec(t)?.[1]).find(Boolean);
    }, 15_000, `a "filed" reply from ${instance.name}`);
  }

  /** Delivers a signed GitHub webhook to `instance`; returns the HTTP status. */
  async deliverOn(instance: Instance, event: string, payload: unknown, deliveryId?: string): Promise<number> {
    const signed = await signWebhook(event, payload, WEBHOOK_SECRET, deliveryId ? { deliveryId } : {});
    const res = await fetch(`${instance.url}/github/webhook`, { method: "POST", headers: signed.headers, body: signed.body });
    await res.arrayBuffer();
    return res.status;
  }

  /** The signed `pull_request.closed` (merged) event of PR `pr`, as GitHub would send it. */
  mergedEvent(pr: number): unknown {
    return pullRequestEvent(this.github, pr);
  }

  async introspectOn(instance: Instance, token: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${instance.url}/oauth/introspect`, {
      method: "POST",
      headers: { authorization: `Bearer ${INTROSPECTION_TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    if (res.status !== 200) throw new Error(`introspection on ${instance.name} answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async jwksOn(instance: Instance): Promise<unknown> {
    return (await fetch(`${instance.url}/.well-known/jwks.json`)).json();
  }

  /** Whether /metrics of `instance` says it runs the cluster duties. */
  async leads(instance: Instance): Promise<boolean> {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    return new RegExp(`grantbot_instance_leader\\{instance="${instance.id}"\\} 1\\b`).test(text);
  }

  /** The live instance that leads, waiting (up to `timeoutMs`) until exactly one does. */
  async leader(timeoutMs = 15_000): Promise<Instance> {
    return until(async () => {
      const leading = [];
      for (const i of this.alive()) if (await this.leads(i).catch(() => false)) leading.push(i);
      return leading.length === 1 ? leading[0] : null;
    }, timeoutMs, "exactly one leader");
  }

  // ---- the database, read by the test ---------------------------------------------------------

  private storePromise: Promise<PgStore> | null = null;

  /** The product's PostgreSQL stores over the test's own pool. */
  store(): Promise<PgStore> {
    this.storePromise ??= openPgStore(this.databaseUrl, { now: () => Date.now() }, { instanceId: "cluster-test", max: 4 });
    return this.storePromise;
  }

  async grant(id: string): Promise<Grant | null> {
    return (await this.store()).grants.get(id);
  }

  async waitForGrant(id: string, states: GrantState[], timeoutMs = 15_000): Promise<Grant> {
    return until(async () => {
      const g = await this.grant(id);
      return g && states.includes(g.state) ? g : null;
    }, timeoutMs, `grant ${id} to be ${states.join("|")}`);
  }

  async query<R extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
    return (await (await this.store()).db.query<R>(sql, values)).rows;
  }

  async close(): Promise<void> {
    for (const i of this.alive()) i.proc.kill("SIGTERM");
    await Promise.all(
      this.instances.map((i) => Promise.race([i.proc.exited, new Promise((r) => setTimeout(r, 10_000))]).then(() => i.alive && i.proc.kill("SIGKILL"))),
    );
    if (this.storePromise) await (await this.storePromise).close().catch(() => undefined);
    await Promise.allSettled([this.slack.close(), this.github.close(), this.directory.server.close(), ...[...this.standIns.scim.values()].map((s) => s.close())]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `probe` (every 20 ms) until it gives a value; throws after `timeoutMs`. */
export async function until<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
