/**
 * A real, throwaway PostgreSQL server for tests: Debian's binaries (or GRANTBOT_TEST_PG_BIN), a
 * fresh data dir under the OS temp dir, listening on 127.0.0.1 only, on a free port.
 *
 * The server dies with the process that started it, even on SIGKILL: postgres runs under a tiny
 * `sh` wrapper whose stdin is a pipe from this process; when the pipe closes (stop(), exit or
 * kill -9), the wrapper fast-shuts postgres down (SIGINT, SIGKILL after 10 s) and removes the
 * temp dir.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

export interface PostgresServer {
  /** postgres://grantbot@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** CREATE DATABASE with a random unique name; returns its url. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server and removes its data dir. Idempotent. */
  stop(): Promise<void>;
}

export const PG_USER = "grantbot";
const DEBIAN_ROOT = "/usr/lib/postgresql";
const READY_WITHIN_MS = 90_000; // a bound for a loaded 2-core machine, not an expectation
const BIND_ATTEMPTS = 4;

/** The bin dir holding initdb and postgres, or why there is none. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): { binDir: string } | { reason: string } {
  const fromEnv = env.GRANTBOT_TEST_PG_BIN;
  if (fromEnv) {
    return existsSync(join(fromEnv, "postgres")) && existsSync(join(fromEnv, "initdb"))
      ? { binDir: fromEnv }
      : { reason: `GRANTBOT_TEST_PG_BIN=${fromEnv} holds no postgres and initdb` };
  }
  const versions = existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const binDir = join(DEBIAN_ROOT, v, "bin");
    if (existsSync(join(binDir, "postgres")) && existsSync(join(binDir, "initdb"))) return { binDir };
  }
  return { reason: `no server binaries under ${DEBIAN_ROOT}/*/bin` };
}

/** PostgreSQL refuses to run as root: as root, run it as Debian's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error("running as root, and there is no `postgres` user to run PostgreSQL as (install Debian's postgresql package)");
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port from the OS");
  return address.port;
}

function run(file: string, args: string[], options: { cwd: string; user: { uid: number; gid: number } | undefined }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, ...options.user, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => (code === 0 ? resolve(output) : reject(new Error(`${file} exited with ${code ?? signal}:\n${tail(output)}`))));
  });
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

// $1 bin dir, $2 temp dir (data/ and the log live in it), $3 port. Settings for a throwaway server.
const WRAPPER = `
exec 3<&0
"$1/postgres" -D "$2/data" -p "$3" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$2" \\
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \\
  </dev/null >>"$2/postgres.log" 2>&1 &
pg=$!
{
  cat >/dev/null
  kill -INT "$pg" 2>/dev/null
  i=0
  while kill -0 "$pg" 2>/dev/null && [ "$i" -lt 150 ]; do
    [ "$i" -eq 100 ] && kill -KILL "$pg" 2>/dev/null
    sleep 0.1; i=$((i + 1))
  done
  rm -rf "$2"
} <&3 >/dev/null 2>&1 &
watcher=$!
exec 3<&-
wait "$pg"
echo "postgres exited: $?"
wait "$watcher"
`;

class BindCollision extends Error {}

const STOP_WITHIN_MS = 20_000;

function killPostmaster(dir: string): void {
  try {
    const pid = Number(readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    if (pid > 0) process.kill(pid, "SIGKILL");
  } catch {
    // no pid file or no such process: nothing left to kill
  }
}

async function startOnce(binDir: string): Promise<PostgresServer> {
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), "grantbot-pg-"));
  let wrapper: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const stop = async () => {
    if (wrapper && wrapper.exitCode === null && wrapper.signalCode === null) {
      wrapper.ref();
      wrapper.stdin?.end();
      // The wrapper SIGKILLs postgres 10 s after the pipe closes; should it ever fail to, stopping
      // must still end (a hung teardown hangs the whole vitest run), so kill the postmaster here.
      const late = await Promise.race([exited.then(() => false), sleep(STOP_WITHIN_MS, true, { ref: false })]);
      if (late) {
        killPostmaster(dir);
        wrapper.kill("SIGKILL");
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    await run(join(binDir, "initdb"), ["-D", join(dir, "data"), "-U", PG_USER, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], { cwd: dir, user });
    const port = await freePort();
    wrapper = spawn("/bin/sh", ["-c", WRAPPER, "postgres-wrapper", binDir, dir, String(port)], { cwd: dir, ...user, stdio: ["pipe", "pipe", "pipe"] });
    const child = wrapper;
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let died: string | undefined;
    child.stdout!.on("data", (d: Buffer) => (died ??= /postgres exited: (\d+)/.exec(d.toString())?.[0]));
    child.stderr!.on("data", () => {});
    const url = `postgres://${PG_USER}@127.0.0.1:${port}/postgres`;
    await waitUntilReady(url, () => died ?? (child.exitCode !== null ? "the wrapper exited" : undefined), dir);
    // A forgotten server must not keep the process alive; exiting closes the pipe, which stops it.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    let stopping: Promise<void> | undefined;
    return { url, createDatabase: (prefix) => createDatabaseOn(url, prefix), stop: () => (stopping ??= stop()) };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitUntilReady(url: string, died: () => string | undefined, dir: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last = "";
  const logTail = () => {
    try {
      return tail(readFileSync(join(dir, "postgres.log"), "utf8"));
    } catch {
      return "(no log)";
    }
  };
  for (;;) {
    const death = died();
    if (death) {
      const log = logTail();
      if (/Address already in use/i.test(log)) throw new BindCollision(`PostgreSQL could not bind its port, another process took it (${death}). Log tail:\n${log}`);
      throw new Error(`PostgreSQL did not start (${death}). Log tail:\n${log}`);
    }
    if (Date.now() > deadline) throw new Error(`PostgreSQL was not ready within ${READY_WITHIN_MS} ms (last: ${last}). Log tail:\n${logTail()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch (error) {
      last = (error as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
    await sleep(50);
  }
}

/** Starts a server; a port taken between choosing and binding it is retried with another. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const found = findPostgresBinDir();
  if ("reason" in found) throw new Error(`cannot start PostgreSQL: ${found.reason}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(found.binDir);
    } catch (error) {
      if (!(error instanceof BindCollision) || attempt >= BIND_ATTEMPTS) throw error;
    }
  }
}

/** Creates an empty database with a random unique name on the server at `url`; returns its url. */
export async function createDatabaseOn(url: string, prefix = "test"): Promise<string> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40)}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return dbUrl.toString();
}
