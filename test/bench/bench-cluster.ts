/**
 * The grantbot instances of one benchmark world (`--store sqlite|postgres --instances N`).
 *
 * - sqlite (the default): one instance, the world's own child (World.spawn), as before.
 * - postgres: a throwaway PostgreSQL server started by the benchmark (test/support/postgres-server.ts,
 *   Debian's binaries, on this host), a fresh database for the world, and N instances on it:
 *   instance 0 is the world's child (the one `world.url` and `world.request` talk to), the others
 *   child processes of the same entry (test/crash/child-entry.ts: startGrantbot from the
 *   environment, as `grantbot serve` runs it) with their own instance ids. Real processes, so one
 *   can be SIGKILLed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setPriority, tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ROOT, type World } from "../crash/world.ts";
import { createDatabaseOn, findPostgresBinDir, startPostgresServer, type PostgresServer } from "../support/postgres-server.ts";
import { pgInspector, sqliteInspector, type Inspector } from "./inspect.ts";

const ENTRY = fileURLToPath(new URL("../crash/child-entry.ts", import.meta.url));

export type StoreKind = "sqlite" | "postgres";

/** One extra instance: a child process of the crash suite's entry, driven over IPC like World's. */
class Instance {
  url = "";
  private seq = 0;
  private stderr = "";
  private readonly pending = new Map<number, (v: Record<string, unknown>) => void>();
  private readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stderr!.on("data", (c: Buffer) => (this.stderr = (this.stderr + c.toString("utf8")).slice(-20_000)));
    child.on("message", (raw) => {
      const m = raw as { id?: number };
      if (m.id !== undefined) this.pending.get(m.id)?.(m as Record<string, unknown>);
      if (m.id !== undefined) this.pending.delete(m.id);
    });
  }

  static async start(env: Record<string, string>, options: Record<string, unknown>, priority: number, nodeArgs: string[], timeoutMs = 60_000): Promise<Instance> {
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ENTRY], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TMPDIR: tmpdir(), ...env, GRANTBOT_CHILD_OPTIONS: JSON.stringify(options) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    try {
      if (priority && child.pid !== undefined) setPriority(child.pid, priority);
    } catch {
      // not permitted: default priority
    }
    const instance = new Instance(child);
    instance.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance did not start in ${timeoutMs} ms\n${instance.stderr}`)), timeoutMs);
      child.on("message", (raw) => {
        const m = raw as { ready?: boolean; url?: string };
        if (m.ready && m.url) {
          clearTimeout(timer);
          resolve(m.url);
        }
      });
      child.once("exit", (code, signal) => (clearTimeout(timer), reject(new Error(`instance exited (${code ?? signal}) before it was ready\n${instance.stderr}`))));
    });
    return instance;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  request(cmd: string, timeoutMs = 30_000, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (!this.alive) return Promise.reject(new Error("instance is not running"));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance did not answer ${cmd}`)), timeoutMs);
      this.pending.set(id, (v) => (clearTimeout(timer), resolve(v)));
      this.child.send({ ...extra, cmd, id });
    });
  }

  async kill9(): Promise<void> {
    if (this.alive) this.child.kill("SIGKILL");
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.send({ cmd: "stop", id: ++this.seq });
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 10_000))]);
    await this.kill9();
  }
}

/**
 * The test harness starts PostgreSQL with fsync, full_page_writes and synchronous_commit off (fast
 * throwaway servers for tests); a benchmark must pay for durable commits as a deployment does.
 */
async function durable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const setting of ["fsync", "full_page_writes", "synchronous_commit"]) await client.query(`ALTER SYSTEM SET ${setting} = on`);
    await client.query("SELECT pg_reload_conf()");
  } finally {
    await client.end();
  }
}

export class BenchCluster {
  private extras: Instance[] = [];
  readonly inspect: Inspector;

  private constructor(
    readonly world: World,
    readonly store: StoreKind,
    readonly instances: number,
    private readonly server: PostgresServer | null,
    /** The world's database on PostgreSQL (null on SQLite). */
    readonly databaseUrl: string | null,
    private readonly priority: number,
    private readonly nodeArgs: string[],
  ) {
    this.inspect = databaseUrl ? pgInspector(databaseUrl) : sqliteInspector(world.dataDir);
  }

  /**
   * The PostgreSQL server and a fresh database, when `store` is postgres: their environment for
   * the world's instances (World.start's `env`), and what `attach` needs.
   */
  static async prepare(store: StoreKind): Promise<{ server: PostgresServer | null; databaseUrl: string | null; env: Record<string, string> }> {
    if (store === "sqlite") return { server: null, databaseUrl: null, env: {} };
    const server = await startPostgresServer();
    try {
      await durable(server.url);
      const databaseUrl = await server.createDatabase("bench");
      return { server, databaseUrl, env: { GRANTBOT_DATABASE_URL: databaseUrl, GRANTBOT_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64") } };
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  static attach(world: World, prepared: { server: PostgresServer | null; databaseUrl: string | null }, opts: { store: StoreKind; instances: number; priority: number; nodeArgs: string[] }): BenchCluster {
    if (opts.store === "sqlite" && opts.instances !== 1) throw new Error("--instances above 1 needs --store postgres (one process per SQLite data directory)");
    return new BenchCluster(world, opts.store, opts.instances, prepared.server, prepared.databaseUrl, opts.priority, opts.nodeArgs);
  }

  /** A fresh database on the same server (another world, e.g. the evidence report's). */
  async freshDatabase(prefix: string): Promise<string> {
    if (!this.server) throw new Error("no PostgreSQL server (--store sqlite)");
    return createDatabaseOn(this.server.url, prefix);
  }

  /** Every instance's base URL, instance 0 first. */
  get urls(): string[] {
    return [this.world.url, ...this.extras.filter((e) => e.alive).map((e) => e.url)];
  }

  /** Starts every instance (instance 0 first: it migrates the database and creates the keys). */
  async spawnAll(): Promise<void> {
    await this.world.spawn(60_000);
    const options = { slackBotIds: { botId: this.world.slack.botId, botUserId: this.world.slack.botUserId }, slackRetries: 2 };
    this.extras = await Promise.all(Array.from({ length: this.instances - 1 }, (_, i) => Instance.start(this.world.env, { ...options, instanceId: `bench-${i + 1}` }, this.priority, this.nodeArgs)));
  }

  async stopAll(): Promise<void> {
    await Promise.all([this.world.stopChild(), ...this.extras.map((e) => e.stop())]);
    this.extras = [];
  }

  /** SIGKILL of instance `i` (1..N-1: instance 0 serves the benchmark's probes). */
  async kill9(i: number): Promise<void> {
    const instance = this.extras[i - 1];
    if (!instance) throw new Error(`no instance ${i}`);
    await instance.kill9();
  }

  /** An IPC command to every live instance (stats, usage, ...). */
  async requestAll(cmd: string, timeoutMs = 30_000, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
    return Promise.all([this.world.request(cmd, timeoutMs, extra), ...this.extras.filter((e) => e.alive).map((e) => e.request(cmd, timeoutMs, extra))]);
  }

  /** "PostgreSQL 15.x on this host" or "SQLite (embedded)". */
  describe(): string {
    if (this.store === "sqlite") return "SQLite (embedded, WAL)";
    const found = findPostgresBinDir();
    let version = "PostgreSQL";
    try {
      if ("binDir" in found) version = execFileSync(join(found.binDir, "postgres"), ["--version"], { encoding: "utf8" }).trim().replace(/^postgres \(PostgreSQL\) /, "PostgreSQL ");
    } catch {
      // keep the generic name
    }
    return `${version} on this host (fsync and synchronous_commit on), ${this.instances} instance${this.instances > 1 ? "s" : ""}`;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.extras.map((e) => e.stop()));
    this.extras = [];
    await this.inspect.close();
    await this.world.close();
    await this.server?.stop();
  }
}
