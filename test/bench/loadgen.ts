/**
 * A load generator in its own process, so the benchmark's client work (and the fakes in the
 * parent) does not add to the latency it measures: reads `{ urls, requests: [{ path, headers,
 * body }], concurrency, warm }` as JSON on stdin (request i goes to urls[i mod n], a round-robin
 * load balancer over the instances; the warm-up connections are spread the same way), opens `warm` keep-alive connections first, then
 * sends the requests `concurrency` at a time (all at once for a burst, 1 for one at a time) and
 * prints `{ results: [{ status, ms }], elapsedMs }`: ms from writing each request to the end of its
 * response, and the whole run's duration (after the warm-up).
 */
import { Agent, request } from "node:http";

interface Input {
  urls: string[];
  requests: { path: string; headers: Record<string, string>; body: string }[];
  concurrency: number;
  warm: number;
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Input;
const bases = input.urls.map((u) => new URL(u));
const agent = new Agent({ keepAlive: true, maxSockets: Math.max(input.warm, input.concurrency), maxFreeSockets: 256 });

function send(to: number, method: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const base = bases[to % bases.length]!;
    const req = request(
      { host: base.hostname, port: base.port, method, path, agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// Open the connections first: a TCP handshake is not what is being measured.
await Promise.all(Array.from({ length: input.warm }, (_, i) => send(i, "GET", "/healthz", {}, "")));
const results: { status: number; ms: number }[] = new Array(input.requests.length);
const started = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(input.concurrency, input.requests.length) }, async () => {
    while (next < input.requests.length) {
      const i = next++;
      const r = input.requests[i]!;
      results[i] = await send(i, "POST", r.path, r.headers, r.body);
    }
  }),
);
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ results, elapsedMs }));
agent.destroy();
