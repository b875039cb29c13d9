/**
 * grantbot in a child process against the e2e fakes running in this (the parent) process: a fake
 * Slack Web API, the stateful fake GitHub and one scimmy SCIM server per target, all on 127.0.0.1.
 * The crash suite kills the child with SIGKILL and restarts it on the same data directory; the
 * benchmark uses a child so the fakes and the load generator do not share grantbot's event loop
 * and so its memory can be measured on its own.
 *
 * The child keeps its state in the embedded SQLite database of its data directory, or, with
 * `databaseUrl`, in a PostgreSQL database (GRANTBOT_DATABASE_URL and a fresh key encryption key).
 * The parent reads it with the product's store classes (world-state.ts): `state` on either back
 * end, the synchronous `stores()`/`grant()`/`allGrants()` on SQLite only.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { Grant, GrantState } from "../../src/domain/grant.ts";
import { GRANT_STATES } from "../../src/domain/grant.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";
import { pullRequestEvent, signWebhook } from "../fakes/github-webhooks.ts";
import { FakeSlack } from "../fakes/fake-slack/index.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";
import { standInEnv, startStandIns } from "../../src/demo/stand-in-world.ts";
import { slashCommandBody, signSlackRequest } from "../fakes/slack-signing.ts";
import { type WorldOptions, type WorldPerson, GITHUB_TOKEN, INTROSPECTION_TOKEN, OPS_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET } from "./world-options.ts";
import { pgWorldState, sqliteInspection, sqliteWorldState, type SqliteInspection, type WorldState } from "./world-state.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRY = fileURLToPath(new URL("./child-entry.ts", import.meta.url));
export { GITHUB_TOKEN, INTROSPECTION_TOKEN, OPS_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET, type WorldOptions, type WorldPerson };
interface Pending {
  resolve(value: Record<string, unknown>): void;
}

export class World {
  child: ChildProcess | null = null;
  /** The source-of-truth directory, when the world has one. */
  directory: ScimTestServer | null = null;
  url = "";
  readonly people: WorldPerson[];
  readonly catalog: { resources: Record<string, { scim: { target: string; groups: string[] }; credential?: { audience: string } }> };
  /** grantbot's state, read through the parent's own connection (either back end). */
  readonly state: WorldState;
  private sqlite: SqliteInspection | null = null;
  private stderr = "";
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private exitWaiters: Array<() => void> = [];

  private constructor(
    readonly slack: FakeSlack,
    readonly github: FakeGitHub,
    readonly scim: Map<string, ScimTestServer>,
    readonly dir: string,
    readonly env: Record<string, string>,
    readonly options: WorldOptions,
    catalogText: string,
    peopleText: string,
  ) {
    this.people = (parse(peopleText) as { people: WorldPerson[] }).people;
    this.catalog = parse(catalogText) as World["catalog"];
    this.state = options.databaseUrl ? pgWorldState(options.databaseUrl) : sqliteWorldState(() => this.stores());
  }

  static async start(options: WorldOptions = {}): Promise<World> {
    const catalogText = options.catalogText ?? readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8");
    const peopleText = options.peopleText ?? readFileSync(join(ROOT, "grants/people.yaml"), "utf8");
    const people = (parse(peopleText) as { people: WorldPerson[] }).people;
    const rttMs = options.rttMs ?? 0;

    const standIns = await startStandIns({ catalogText, peopleText, scimTokenPrefix: "scim-token", rttMs, scimPageSize: 200 });
    const { slack, github, scim } = standIns;

    let directory: ScimTestServer | null = null;
    let directoryYaml = "";
    if (options.directory) {
      directory = await ScimTestServer.start({ token: "child-directory-token-0123456789", rttMs, pageSize: 200 });
      for (const p of people) directory.createUser({ userName: p.email, displayName: p.email.split("@")[0]!, groups: p.groups ?? [] });
      directoryYaml = `directory:\n  url: ${directory.url}\n  token: \${DIRECTORY_SCIM_TOKEN}\n  poll_interval: ${options.directory.pollInterval ?? "5m"}\n`;
    }

    const { dir, env } = standInEnv(standIns, {
      dirPrefix: "grantbot-child-",
      secrets: { slackSigning: SIGNING_SECRET, introspection: INTROSPECTION_TOKEN, githubToken: GITHUB_TOKEN, webhook: options.webhook === false ? null : WEBHOOK_SECRET },
      publicUrl: "http://grantbot.test",
      opsChannel: OPS_CHANNEL,
      scimTimeout: options.scimTimeout ?? "2s",
      ...(options.jobRetry ? { jobRetry: options.jobRetry } : {}),
      configExtra: `${directoryYaml}${options.configExtra ?? ""}`,
      env: {
        ...(options.directory ? { DIRECTORY_SCIM_TOKEN: "child-directory-token-0123456789", GRANTBOT_DIRECTORY_SECRET: options.directory.secret } : {}),
        ...(options.databaseUrl ? { GRANTBOT_DATABASE_URL: options.databaseUrl, GRANTBOT_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64") } : {}),
        ...options.env,
      },
    });
    const world = new World(slack, github, scim, dir, env, options, catalogText, peopleText);
    world.directory = directory;
    return world;
  }

  get dataDir(): string {
    return this.env.GRANTBOT_DATA_DIR!;
  }

  /** Starts grantbot in a child process; resolves once it listens. */
  /**
   * After a kill: a new child if none runs, then the backstops a restart relies on (expiry sweep,
   * GitHub poll for merges whose webhook died with the old one).
   */
  async ensureRunning(): Promise<void> {
    if (!this.child) await this.spawn();
    await this.request("tick").catch(() => undefined);
  }

  async spawn(timeoutMs = 20_000): Promise<void> {
    if (this.child) throw new Error("grantbot child already running");
    const childOptions = {
      slackBotIds: { botId: this.slack.botId, botUserId: this.slack.botUserId },
      slackRetries: this.options.slackRetries ?? 2,
      ...(this.options.jobConcurrency ? { jobConcurrency: this.options.jobConcurrency } : {}),
    };
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), "--import", "tsx", ENTRY], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TMPDIR: tmpdir(), ...this.env, GRANTBOT_CHILD_OPTIONS: JSON.stringify(childOptions) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.child = child;
    this.stderr = "";
    if (this.options.priority !== undefined && child.pid !== undefined) {
      try {
        setPriority(child.pid, this.options.priority);
      } catch {
        // not permitted (unprivileged user): run at the default priority
      }
    }
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-20_000);
    });
    child.on("exit", () => {
      if (this.child === child) this.child = null;
      for (const waiter of this.exitWaiters.splice(0)) waiter();
    });
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`grantbot child did not start in ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
      child.on("message", (raw) => {
        const message = raw as { ready?: boolean; url?: string; id?: number };
        if (message.ready && message.url) {
          clearTimeout(timer);
          resolve(message.url);
          return;
        }
        if (message.id !== undefined) {
          this.pending.get(message.id)?.resolve(message as Record<string, unknown>);
          this.pending.delete(message.id);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`grantbot child exited (${code ?? signal}) before it was ready\n${this.stderr}`));
      });
    });
  }

  get childStderr(): string {
    return this.stderr;
  }

  /** kill -9, and wait until the process is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    child.kill("SIGKILL");
    await gone;
  }

  async request(cmd: string, timeoutMs = 30_000, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const child = this.child;
    if (!child) throw new Error("no grantbot child");
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not answer ${cmd}`)), timeoutMs);
      this.pending.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v)) });
      child.send({ ...extra, cmd, id });
    });
  }

  async stopChild(): Promise<void> {
    if (!this.child) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    this.child.send({ cmd: "stop", id: ++this.seq });
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.child) await this.kill9();
  }

  // ---- inspection --------------------------------------------------------------------------

  /** The product's SQLite stores over the parent's read-only connection (SQLite only; see `state`). */
  stores(): SqliteInspection {
    if (this.options.databaseUrl) throw new Error("world.stores() reads SQLite; this world runs on PostgreSQL: use world.state");
    this.sqlite ??= sqliteInspection(this.dataDir);
    return this.sqlite;
  }

  grant(id: string): Grant | null {
    return this.stores().grants.get(id);
  }

  allGrants(): Grant[] {
    return this.stores().grants.listByState(GRANT_STATES, 1_000_000);
  }

  /** Polls `probe` (sync or async) every `everyMs` until it returns something truthy. */
  async waitFor<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 10_000, what = "condition", everyMs = 5): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async waitForGrant(id: string, states: GrantState[], timeoutMs = 10_000): Promise<Grant> {
    let seen = "absent";
    const probe = async () => {
      const g = await this.state.grant(id);
      seen = g?.state ?? "absent";
      return g && states.includes(g.state) ? g : null;
    };
    return this.waitFor(probe, timeoutMs, `grant ${id} to be ${states.join("|")}`).catch((err: Error) => {
      throw new Error(`${err.message}\n(the grant is ${seen})`);
    });
  }

  // ---- driving grantbot over HTTP -----------------------------------------------------------

  person(i: number): WorldPerson {
    return this.people[i]!;
  }

  /** `/access <text>`; resolves with the HTTP ack and its latency. */
  async slash(text: string, userId: string): Promise<{ status: number; text: string; ms: number; responseId: string }> {
    const responseId = `r${++this.seq}`;
    const body = slashCommandBody({ text, userId, responseUrl: this.slack.responseUrl(responseId) });
    const started = performance.now();
    const res = await fetch(`${this.url}/slack/events`, { method: "POST", headers: signSlackRequest(body, SIGNING_SECRET), body });
    const out = await res.text();
    return { status: res.status, text: out, ms: performance.now() - started, responseId };
  }

  /** The grant id from the "Request … filed" response_url reply. */
  async filedGrantId(responseId: string, timeoutMs = 10_000): Promise<string> {
    return this.waitFor(() => {
      for (const r of this.slack.responses(responseId)) {
        const id = /Request `([0-9A-Z]{26})` filed/.exec(String((r.payload as { text?: string }).text ?? ""))?.[1];
        if (id) return id;
      }
      return null;
    }, timeoutMs, `a "filed" reply on ${responseId}`);
  }

  approve(pr: number, login = "carol-gh"): void {
    this.github.addReview(pr, { login, state: "APPROVED" });
  }

  /** Merges on the fake and delivers the signed `pull_request.closed` webhook. */
  async merge(pr: number, by = "carol-gh"): Promise<number> {
    this.github.merge(pr, { by });
    return this.deliver("pull_request", pullRequestEvent(this.github, pr));
  }

  async deliver(event: string, payload: unknown): Promise<number> {
    const signed = await signWebhook(event, payload, WEBHOOK_SECRET);
    const res = await fetch(`${this.url}/github/webhook`, { method: "POST", headers: signed.headers, body: signed.body });
    await res.arrayBuffer();
    return res.status;
  }

  async introspect(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}/oauth/introspect`, {
      method: "POST",
      headers: { authorization: `Bearer ${INTROSPECTION_TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The JWT in a message's current text (null when absent or redacted). */
  tokenIn(channel: string, ts: string): string | null {
    const text = this.slack.visibleText(channel, ts) ?? "";
    return /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;
  }

  async close(): Promise<void> {
    await this.stopChild().catch(() => undefined);
    this.sqlite?.db.close();
    this.sqlite = null;
    await this.state.close();
    await Promise.allSettled([this.slack.close(), this.github.close(), ...[...this.scim.values(), ...(this.directory ? [this.directory] : [])].map((s) => s.close())]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
