/**
 * `grantbot serve` in a child process against a Slack Web API that accepts connections and never
 * answers (GitHub and SCIM are the usual fakes). A job that posts to Slack is queued before the
 * start, so one is hanging on Slack when the signal comes.
 */
import { get as httpGet } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { openStore, databasePath } from "../../src/adapters/sqlite/open-store.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { World } from "../crash/world.ts";
import { GrantbotProcess, SilentServer } from "./serve-process.ts";

interface Setup {
  world: World;
  slack: SilentServer;
  jobId: number;
  serve: GrantbotProcess;
  url: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A world whose Slack never answers, an ops notice queued, serve started and posting it. */
async function startWithHangingSlack(shutdownTimeout: string): Promise<Setup> {
  const world = await World.start();
  cleanups.push(() => world.close());
  const slack = await SilentServer.start();
  cleanups.push(() => slack.close());
  const store = openStore(world.dataDir, systemClock);
  const jobId = (await store.jobs.enqueue({ kind: "ops_notice", payload: { title: "queued before the start", detail: "posted to a Slack that never answers" } }))!;
  await store.close();
  const serve = GrantbotProcess.start(["serve"], { ...world.env, SLACK_API_URL: `${slack.url}/api/`, LOG_LEVEL: "info", GRANTBOT_SHUTDOWN_TIMEOUT: shutdownTimeout });
  cleanups.push(async () => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.kill("SIGKILL");
    await serve.exited;
  });
  const url = await serve.listening();
  await slack.received(/chat\.postMessage/);
  return { world, slack, jobId, serve, url };
}

/** GET on a new connection (no keep-alive pool), JSON body. */
function getFresh(target: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    httpGet(target, { agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    }).on("error", reject);
  });
}

function jobRow(world: World, id: number): { state: string; lease_until: number | null } {
  const db = new Database(databasePath(world.dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT state, lease_until FROM jobs WHERE id = ?").get(id) as { state: string; lease_until: number | null };
  } finally {
    db.close();
  }
}

describe("grantbot serve and signals, with a Slack Web API that never answers", () => {
  it("starts degraded, then on SIGTERM answers 503 to new requests (not /healthz), hands the hanging job back and exits within GRANTBOT_SHUTDOWN_TIMEOUT", async () => {
    const { world, jobId, serve, url } = await startWithHangingSlack("3s");

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, slack: "down: timeout after 5000 ms", github: "ok", scim: { aws: "ok", snowflake: "ok", okta: "ok" }, database: "ok", leases: "ok" });
    expect(serve.logLines("starting degraded: these dependencies did not answer; work for them waits in the queue (see /readyz)")[0]?.degraded).toEqual(["slack (down: timeout after 5000 ms)"]);

    serve.kill("SIGTERM");
    await serve.waitFor(/stopping: taking no new work/);
    // Fresh connections: the server closes idle keep-alive sockets when it starts stopping, and a
    // pooled socket closed under fetch's feet would fail the request for a reason of the client's.
    const refused = await getFresh(`${url}/readyz`);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: "grantbot is shutting down" });
    const live = await getFresh(`${url}/healthz`);
    expect([live.status, live.body]).toEqual([200, { status: "stopping" }]);

    expect(await serve.exited).toEqual({ code: 0, signal: null });
    const [handedBack] = serve.logLines("jobs still running at the shutdown bound were handed back to the queue");
    expect(handedBack?.jobs).toEqual([`ops_notice#${jobId}`]);
    expect(serve.logLines("stopping: taking no new work; running jobs have until the shutdown bound")[0]).toMatchObject({ signal: "SIGTERM", boundMs: 3000 });
    expect(serve.logLines("stopped")).toHaveLength(1);
    // The lease is back: the next start (or another process) takes the job at once.
    expect(jobRow(world, jobId)).toEqual({ state: "queued", lease_until: null });
  }, 60_000);

  it("exits at once on a second signal, naming the job still running and handing it back", async () => {
    // A bound far longer than this test's timeout: only the second signal can end it in time.
    const { world, jobId, serve } = await startWithHangingSlack("10m");
    serve.kill("SIGTERM");
    await serve.waitFor(/stopping: taking no new work/);
    serve.kill("SIGTERM");

    expect(await serve.exited).toEqual({ code: 143, signal: null });
    expect(serve.logLines("second signal: exiting now")[0]).toMatchObject({ signal: "SIGTERM", running: [`ops_notice#${jobId}`] });
    expect(jobRow(world, jobId)).toEqual({ state: "queued", lease_until: null });
  }, 60_000);
});
