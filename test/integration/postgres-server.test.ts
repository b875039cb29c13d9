/**
 * The PostgreSQL test harness (test/support/postgres*.ts): a real server, one database per test
 * file, loopback only, and a server that outlives a SIGKILLed parent by a few seconds at most.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const clients: pg.Client[] = [];

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return c;
}

/** "refused", "open" or another error code, for a TCP connect to host:port. */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => (socket.destroy(), resolve("open")));
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? "refused" : (e.code ?? e.message)));
  });
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
});

describeWithPostgres("the PostgreSQL test server", () => {
  it("accepts connections to a fresh database and runs PostgreSQL 14 or newer", async () => {
    const db = await client(await freshDatabaseUrl("harness"));
    const { rows } = await db.query<{ n: string; v: string; db: string }>("SELECT current_setting('server_version_num') AS n, version() AS v, current_database() AS db");
    expect(Number(rows[0]!.n), rows[0]!.v).toBeGreaterThanOrEqual(140000);
    expect(rows[0]!.v).toMatch(/^PostgreSQL \d+/);
    expect(rows[0]!.db).toMatch(/^harness_[0-9a-f]{12}$/);
  });

  it("gives each freshDatabaseUrl() its own empty database: a table made in one is absent from the other", async () => {
    const [urlA, urlB] = await Promise.all([freshDatabaseUrl(), freshDatabaseUrl()]);
    expect(urlA).not.toBe(urlB);
    const a = await client(urlA);
    const b = await client(urlB);
    await a.query("CREATE TABLE grants (id text PRIMARY KEY)");
    await a.query("INSERT INTO grants VALUES ('g1')");
    expect((await a.query("SELECT count(*)::int AS n FROM grants")).rows[0].n).toBe(1);
    expect((await b.query("SELECT to_regclass('public.grants') AS t")).rows[0].t).toBeNull();
  });

  it("listens on 127.0.0.1 only", async () => {
    const url = new URL(await freshDatabaseUrl());
    const db = await client(url.toString());
    const { rows } = await db.query<{ listen: string; addr: string }>("SELECT current_setting('listen_addresses') AS listen, host(inet_server_addr()) AS addr");
    expect(rows[0]).toEqual({ listen: "127.0.0.1", addr: "127.0.0.1" });
    expect(await probe("127.0.0.1", Number(url.port))).toBe("open");
    expect(await probe("::1", Number(url.port))).not.toBe("open");
  });

  it("stops on its own when the process that started it is killed with SIGKILL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/postgres-server-child.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once("exit", (code) => reject(new Error(`the child exited (${code}) before printing its url:\n${stderr}`)));
    });
    const port = Number(new URL(url).port);
    const orphaned = await client(url);
    const dataDir = (await orphaned.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0]!.d;
    expect(existsSync(dataDir)).toBe(true);
    orphaned.on("error", () => {}); // the server going away ends this connection

    const killed = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await killed;

    // Generous bound for a loaded machine; the server usually goes within a second.
    const deadline = Date.now() + 30_000;
    let state = await probe("127.0.0.1", port);
    while (state !== "refused" && Date.now() < deadline) {
      await sleep(100);
      state = await probe("127.0.0.1", port);
    }
    expect(state).toBe("refused");
    while (existsSync(dataDir) && Date.now() < deadline) await sleep(100);
    expect(existsSync(dataDir), "the data dir is removed").toBe(false);
  }, 90_000);
});
