/**
 * /healthz is liveness; /readyz reports each dependency from the last check (start-up, then the
 * `dependency-check` task) plus the database asked at the moment; /metrics has a gauge per
 * dependency. grantbot in-process (Stack) with the dependency checks `serve` runs switched on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

function gauges(metrics: string): Record<string, string> {
  return Object.fromEntries([...metrics.matchAll(/^grantbot_dependency_up\{dependency="([^"]+)"\} (\d)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe("health and readiness per dependency", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ grantbot: { dependencyChecks: true } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("answers 200 with every dependency ok when all are up, and a gauge of 1 for each", async () => {
    expect(await get(`${stack.url}/healthz`)).toEqual({ status: 200, body: { status: "ready" } });
    expect(await get(`${stack.url}/readyz`)).toEqual({
      status: 200,
      body: { ready: true, slack: "ok", github: "ok", scim: { aws: "ok", snowflake: "ok", okta: "ok" }, database: "ok", leases: "ok" },
    });
    const metrics = await get(`${stack.url}/metrics`);
    expect(gauges(String(metrics.body))).toEqual({ slack: "1", github: "1", "scim:aws": "1", "scim:snowflake": "1", "scim:okta": "1", database: "1" });
  });

  it("answers 503 naming the SCIM target that is down, its gauge 0, and ready again once it answers", async () => {
    stack.scim.get("okta")!.timeoutNext(1, (method, path) => method === "GET" && path.startsWith("/Groups"));
    await stack.grantbot.runTask("dependency-check");

    const down = await get(`${stack.url}/readyz`);
    expect(down).toEqual({
      status: 503,
      body: { ready: false, slack: "ok", github: "ok", scim: { aws: "ok", snowflake: "ok", okta: "down: no answer within 2000 ms (GET /Groups)" }, database: "ok", leases: "ok" },
    });
    expect(gauges(String((await get(`${stack.url}/metrics`)).body))).toMatchObject({ "scim:okta": "0", "scim:aws": "1", slack: "1" });
    expect(await get(`${stack.url}/healthz`)).toEqual({ status: 200, body: { status: "ready" } }); // still alive

    await stack.grantbot.runTask("dependency-check");
    expect((await get(`${stack.url}/readyz`)).status).toBe(200);
  });

  it("answers 503 when the database does not answer", async () => {
    stack.grantbot.store.sqlite!.db.close();
    const res = await get(`${stack.url}/readyz`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ready: false, slack: "ok", database: "down: The database connection is not open" });
    expect(gauges(String((await get(`${stack.url}/metrics`)).body))).toMatchObject({ database: "0" });
  });
});
