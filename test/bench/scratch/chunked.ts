import { request } from "node:http";
import { Stack } from "../../e2e/stack.ts";
const stack = await Stack.start();
const url = new URL(stack.url);
for (const path of ["/slack/events", "/github/webhook", "/oauth/introspect", "/hooks/directory"]) {
  const t = performance.now();
  const res = await new Promise<{ status: number; sent: number }>((resolve) => {
    let sent = 0;
    const req = request({ host: url.hostname, port: url.port, method: "POST", path, headers: { "transfer-encoding": "chunked", "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)), "x-slack-signature": "v0=00" } }, (r) => { r.resume(); r.on("end", () => resolve({ status: r.statusCode ?? 0, sent })); });
    req.on("error", () => resolve({ status: -1, sent }));
    const chunk = Buffer.alloc(64 * 1024, 97);
    const pump = () => { while (sent < 20 * 1024 * 1024) { sent += chunk.length; if (!req.write(chunk)) { req.once("drain", pump); return; } } req.end(); };
    pump();
  });
  console.log(path, res, (performance.now() - t).toFixed(0), "ms");
}
await stack.stop();
