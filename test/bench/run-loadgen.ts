/** Runs loadgen.ts in a child process and returns its results. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LOADGEN = fileURLToPath(new URL("./loadgen.ts", import.meta.url));

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** `url`: one instance, or several (request i goes to url i mod n, as a round-robin balancer). */
export async function runLoad(url: string | string[], requests: LoadRequest[], concurrency: number): Promise<{ status: number; ms: number }[]> {
  return (await runLoadTimed(url, requests, concurrency)).results;
}

export async function runLoadTimed(url: string | string[], requests: LoadRequest[], concurrency: number): Promise<{ results: { status: number; ms: number }[]; elapsedMs: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", LOADGEN], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  child.stdin.end(JSON.stringify({ urls: typeof url === "string" ? [url] : url, requests, concurrency, warm: concurrency }));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err.slice(-2000)}`);
  return JSON.parse(out) as { results: { status: number; ms: number }[]; elapsedMs: number };
}
