/**
 * The real `grantbot` command (bin/grantbot.js) in a child process, for what only a process can
 * show: signals, exit codes, stderr, the data-dir lock. Plus a server that accepts connections and
 * never answers: a Slack, GitHub or SCIM API that hangs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/grantbot.js", import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class GrantbotProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (chunk: Buffer) => this.append("stdout", chunk));
    child.stderr!.on("data", (chunk: Buffer) => this.append("stderr", chunk));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** `grantbot <args>` with exactly `env` (plus PATH, HOME, TMPDIR). */
  static start(args: string[], env: Record<string, string>): GrantbotProcess {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TMPDIR: tmpdir(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new GrantbotProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private append(stream: "stdout" | "stderr", chunk: Buffer): void {
    this[stream] += chunk.toString("utf8");
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first match of `re` in stdout+stderr; rejects when the process exits first. */
  async waitFor(re: RegExp, what = String(re)): Promise<RegExpExecArray> {
    let done = false;
    void this.exited.then(() => {
      done = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
    for (;;) {
      const match = re.exec(`${this.stdout}\n${this.stderr}`);
      if (match) return match;
      if (done) throw new Error(`grantbot exited before ${what}\nstdout:\n${this.stdout.slice(-3000)}\nstderr:\n${this.stderr.slice(-3000)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until serve says where it listens; resolves with the URL. */
  async listening(): Promise<string> {
    return (await this.waitFor(/grantbot listening on (http:\/\/\S+)/, "grantbot listening"))[1]!;
  }

  /** The pino log lines (JSON) on stdout with this `msg`. */
  logLines(msg: string): Array<Record<string, unknown>> {
    return this.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === msg);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** An HTTP server on 127.0.0.1 that takes every request and never answers it. */
export class SilentServer {
  readonly requests: Array<{ method: string; url: string }> = [];
  private readonly sockets = new Set<Socket>();
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly server: Server) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("request", (req: IncomingMessage, _res: ServerResponse) => {
      this.requests.push({ method: req.method ?? "GET", url: req.url ?? "/" });
      req.resume();
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async start(): Promise<SilentServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new SilentServer(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits until a request whose URL matches `re` has arrived. */
  async received(re: RegExp): Promise<void> {
    while (!this.requests.some((r) => re.test(r.url))) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An HTTP server on 127.0.0.1 that answers every request with `status` and a JSON `body`. */
export async function answeringServer(status: number, body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
