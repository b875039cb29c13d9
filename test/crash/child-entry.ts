/**
 * grantbot in a child process, for the crash suite and the benchmark: the same `startGrantbot`
 * `grantbot serve` runs, configured from the environment (loadConfig). The parent starts the fakes,
 * spawns this script with `node --import tsx`, and talks to it over IPC:
 *   -> { cmd: "tick" }   runs the expiry sweep and a GitHub poll now
 *   -> { cmd: "task", name }  runs one periodic task now (`directory-poll`, `reconcile`, ...)
 *   -> { cmd: "stats" }  answers { rss, maxRss, heapUsed } (bytes), event-loop utilisation and the
 *                        longest event-loop block since the last "stats" (loopDelayMaxMs)
 *   -> { cmd: "end", how: "revoke" | "release", grantId, email }  ends a grant as an operator
 *                        (`grantbot revoke`) or its subject (`/access release`) would
 *   -> { cmd: "usage", on }  records uses of grants on introspection (default) or not (the benchmark's
 *                        before/after of usage recording)
 *   -> { cmd: "stop" }   stops gracefully and exits 0
 * It announces itself with { ready: true, url, pid } once the server listens.
 * Options (JSON in GRANTBOT_CHILD_OPTIONS): slackBotIds, slackRetries, jobConcurrency.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadConfig } from "../../src/config/index.ts";
import { startGrantbot, type StartOptions } from "../../src/main.ts";
import { releaseGrant, revokeGrant } from "../../src/services/grants/grant-commands.ts";
import type { UsageLog } from "../../src/services/ports/index.ts";

const options = JSON.parse(process.env.GRANTBOT_CHILD_OPTIONS ?? "{}") as StartOptions;
const running = await startGrantbot(loadConfig(process.env), options);
const usageOn: UsageLog = running.deps.usage;
const usageOff: UsageLog = { record: () => {}, flush: () => usageOn.flush(), forGrants: (ids) => usageOn.forGrants(ids) };
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

function send(message: Record<string, unknown>): void {
  if (process.send) process.send(message);
}

process.on("message", (raw) => {
  const message = raw as { cmd?: string; id?: number };
  void (async () => {
    switch (message.cmd) {
      case "tick":
        await running.tick().catch(() => undefined);
        send({ id: message.id, ok: true });
        return;
      case "task": {
        const name = String((message as { name?: string }).name);
        const ok = await running.runTask(name).then(() => true, () => false);
        send({ id: message.id, ok });
        return;
      }
      case "end": {
        const { how, grantId, email } = message as { how?: string; grantId?: string; email?: string };
        let ok = true;
        try {
          if (how === "release") await releaseGrant(running.deps, String(grantId), String(email));
          else await revokeGrant(running.deps, String(grantId), "ops@example.com");
        } catch {
          ok = false;
        }
        send({ id: message.id, ok });
        return;
      }
      case "usage": {
        // The benchmark's introspection with and without use recording (test/bench/scenarios/usage-overhead.ts).
        running.deps.usage = (message as { on?: boolean }).on === false ? usageOff : usageOn;
        send({ id: message.id, ok: true });
        return;
      }
      case "stats": {
        const mem = process.memoryUsage();
        const elu = performance.eventLoopUtilization();
        // loopDelayMaxMs: the longest the event loop was blocked since the previous "stats" call.
        send({ id: message.id, ok: true, rss: mem.rss, heapUsed: mem.heapUsed, maxRss: process.resourceUsage().maxRSS * 1024, eluActive: elu.active, eluIdle: elu.idle, loopDelayMaxMs: loopDelay.max / 1e6 });
        loopDelay.reset();
        return;
      }
      case "stop":
        await running.stop();
        send({ id: message.id, ok: true });
        process.exit(0);
    }
  })();
});
process.on("disconnect", () => {
  // The parent went away: do not linger as an orphan holding ports and the database.
  void running.stop().finally(() => process.exit(0));
});

send({ ready: true, url: running.url, pid: process.pid });
