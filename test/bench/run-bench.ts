/**
 * `npm run bench` — measures grantbot against the bars in PRODUCT.md ("Bars the product is held
 * to"): the real server (startGrantbot, in a child process) against the e2e fakes — fake Slack,
 * stateful fake GitHub, scimmy SCIM servers — all on 127.0.0.1. Prints a table and writes
 * bench/results.json (n, p50, p95, p99, max per figure).
 *
 *   npm run bench                      full run (~2–3 minutes)
 *   npm run bench -- --quick           smaller samples (~1 minute)
 *   npm run bench -- --rtt 50ms        every fake answers 50 ms later (a real network round trip)
 *   npm run bench -- --out FILE        where to write the JSON
 *   BENCH_PRIORITY=-5 npm run bench    grantbot's scheduling priority (default 0; negative favours it
 *                                      over the fakes, which stand in for remote systems)
 *   npm run bench -- --only a,b        run some scenarios: ack, pr, merge, breakglass, expiry1, throughput,
 *                                      usage, leaver, scimround, expiry1000, expiry1000kill, evidence, reconcile
 *   npm run bench -- --store postgres --instances 3
 *                                      every store on PostgreSQL (a server the benchmark starts on this
 *                                      host, a fresh database), N instances as child processes; load
 *                                      spread over them; expiry1000kill SIGKILLs one (N >= 2)
 *   node --import tsx test/bench/compare.ts A.json B.json   one table of two runs (SQLite vs PostgreSQL)
 */
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseDuration } from "../../src/domain/durations.ts";
import { ROOT, World } from "../crash/world.ts";
import { BenchCluster, type StoreKind } from "./bench-cluster.ts";
import { catalogText, peopleText } from "./population.ts";
import { renderBars, renderTable } from "./report.ts";
import { expiryOne, expiryThousand } from "./scenarios/expiry.ts";
import { mergeToEffective } from "./scenarios/merge-activation.ts";
import { breakglassToEffective } from "./scenarios/breakglass.ts";
import { directoryPollFeature, directoryPushFeature, pendingFigure, reconcileFeature } from "./scenarios/pending.ts";
import { requestToPr } from "./scenarios/request-pr.ts";
import { slashAck } from "./scenarios/slash-ack.ts";
import { DIRECTORY_SECRET } from "./scenarios/leaver.ts";
import { evidenceFigures } from "./scenarios/evidence.ts";
import { introspectionThroughput, jwtIssue } from "./scenarios/throughput.ts";
import { usageOverhead } from "./scenarios/usage-overhead.ts";
import { scimRoundCost } from "./scenarios/scim-round.ts";
import type { BenchContext, Figure } from "./scenarios/types.ts";

interface Args {
  quick: boolean;
  rttMs: number;
  out: string | null;
  only: Set<string> | null;
  store: StoreKind;
  instances: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, rttMs: 0, out: null, only: null, store: "sqlite", instances: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") args.quick = true;
    else if (a.startsWith("--rtt")) {
      const v = value();
      const ms = /^\d+(ms)?$/.test(v) ? Number.parseInt(v, 10) : ((r) => (r.ok ? r.ms : Number.NaN))(parseDuration(v));
      if (!Number.isFinite(ms)) throw new Error(`--rtt: not a duration: ${v} (e.g. 50ms)`);
      args.rttMs = ms;
    } else if (a.startsWith("--out")) args.out = value();
    else if (a.startsWith("--only")) args.only = new Set(value().split(","));
    else if (a.startsWith("--store")) {
      const v = value();
      if (v !== "sqlite" && v !== "postgres") throw new Error(`--store: sqlite or postgres, not ${v}`);
      args.store = v;
    } else if (a.startsWith("--instances")) {
      args.instances = Number(value());
      if (!Number.isInteger(args.instances) || args.instances < 1) throw new Error("--instances: a whole number >= 1");
    }
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`usage: npm run bench -- [--quick] [--rtt 50ms] [--out FILE] [--store sqlite|postgres] [--instances N] [--only ack,pr,merge,breakglass,expiry1,throughput,usage,leaver,reconcile,scimround,expiry1000,expiry1000kill,evidence]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function machine(): Record<string, string> {
  const sh = (cmd: string) => {
    try {
      return execSync(cmd, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  return {
    nproc: sh("nproc") || String(cpus().length),
    cpu: cpus()[0]?.model ?? "unknown",
    memory: sh("free -h | awk '/^Mem:/ {print $2\" total, \"$7\" available\"}'") || `${Math.round(totalmem() / 2 ** 30)} GiB total, ${Math.round(freemem() / 2 ** 30)} GiB free`,
    node: process.version,
    os: sh("uname -sr"),
    disk: sh(`df -h ${JSON.stringify(ROOT)} | awk 'NR==2 {print $1}'`),
  };
}

/** A scenario module that may not exist yet (its feature is being built). */
async function optional(path: string): Promise<Record<string, unknown>> {
  const url = new URL(path, import.meta.url);
  return existsSync(url) ? ((await import(url.href)) as Record<string, unknown>) : {};
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runs = (name: string) => args.only === null || args.only.has(name);
  const started = Date.now();
  const loadStart = loadavg().map((l) => l.toFixed(2)).join(" ");
  const log = (m: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
  const expiryCount = 1000;
  if (args.store === "sqlite" && args.instances !== 1) throw new Error("--instances above 1 needs --store postgres (one process per SQLite data directory)");
  if (args.store === "postgres") log("starting PostgreSQL");
  const prepared = await BenchCluster.prepare(args.store);
  log(`starting fakes (rtt ${args.rttMs} ms${args.quick ? ", quick" : ""})`);
  const nodeArgs = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : [];
  const world = await World.start({ env: prepared.env,  peopleText: peopleText(400), catalogText: catalogText(), directory: { secret: DIRECTORY_SECRET }, priority: Number(process.env.BENCH_PRIORITY ?? 0), rttMs: args.rttMs, jobRetry: "{ base: 1s, max: 5s }", scimTimeout: "10s", nodeArgs });
  const cluster = BenchCluster.attach(world, prepared, { store: args.store, instances: args.instances, priority: Number(process.env.BENCH_PRIORITY ?? 0), nodeArgs });
  let person = 0;
  const ctx: BenchContext = { world, cluster, quick: args.quick, rttMs: args.rttMs, nextPerson: () => ++person, log };
  const figures: Figure[] = [];
  const step = async (name: string, fn: () => Promise<Figure[]>) => {
    if (!runs(name)) return;
    log(name);
    try {
      figures.push(...(await fn()));
    } catch (err) {
      log(`${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
      figures.push(pendingFigure(name, name, `failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`));
    }
  };
  try {
    await cluster.spawnAll();
    await step("ack", () => slashAck(ctx));
    await step("pr", () => requestToPr(ctx));
    await step("merge", () => mergeToEffective(ctx));
    await step("breakglass", () => breakglassToEffective(ctx));
    await step("expiry1", () => expiryOne(ctx));
    await step("throughput", async () => [...(await jwtIssue(ctx)), ...(await introspectionThroughput(ctx))]);
    await step("usage", () => usageOverhead(ctx));
    await step("leaver", async () => {
      const push = await directoryPushFeature(ctx);
      const poll = directoryPollFeature();
      const { leaverFigures } = (await optional("./scenarios/leaver.ts")) as { leaverFigures?: (c: BenchContext, via: "push" | "poll") => Promise<Figure[]> };
      const out: Figure[] = [];
      out.push(push.present && leaverFigures ? (await leaverFigures(ctx, "push"))[0]! : pendingFigure("leaver_push", "Leaver pushed -> all access removed", push.present ? "scenario not written yet" : push.why));
      out.push(poll.present && leaverFigures ? (await leaverFigures(ctx, "poll"))[0]! : pendingFigure("leaver_poll", "Leaver polled -> all access removed", poll.present ? "scenario not written yet" : poll.why));
      return out;
    });
    await step("scimround", () => scimRoundCost(ctx));
    // Before reconcile: its 10,000 seeded grants make every benchmark group 25 times larger.
    await step("expiry1000", () => expiryThousand(ctx, expiryCount));
    if (args.instances > 1) await step("expiry1000kill", () => expiryThousand(ctx, expiryCount, { kill: true }));
    // Before reconcile too: its seeded memberships would all be unexpected in the evidence report's own database.
    // On PostgreSQL the history is written to SQLite, then moved with `grantbot store copy`'s code.
    await step("evidence", async () => evidenceFigures(ctx, args.store === "postgres" ? { databaseUrl: await cluster.freshDatabase("evidence") } : {}));
    await step("reconcile", async () => {
      const feature = reconcileFeature();
      const { reconcileFigures } = (await optional("./scenarios/reconcile.ts")) as { reconcileFigures?: (c: BenchContext) => Promise<Figure[]> };
      if (feature.present && reconcileFigures) return reconcileFigures(ctx);
      return [
        pendingFigure("reconcile_10k_wall", "Reconcile 10,000 live grants / 20 groups: wall time", feature.present ? "scenario not written yet" : feature.why),
        pendingFigure("reconcile_10k_rss", "Reconcile 10,000 live grants / 20 groups: peak RSS", feature.present ? "scenario not written yet" : feature.why),
      ];
    });

  } finally {
    await cluster.close();
  }

  const testBars = [
    "Nothing lost: kill -9 at any point never loses an approved grant or a revocation; each happens exactly once (test/crash/crash.test.ts, in npm test)",
    "A SCIM target down for minutes: revocations retry with backoff, operators alerted once, other grants not held up (test/e2e/outage-*.test.ts, in npm test)",
    "Every input from outside validated; bad input gets a clear error, never a crash or a partial write (test/hostile/*, in npm test)",
  ];
  const m = machine();
  const table = renderTable(figures);
  const bars = renderBars(figures, testBars);
  const flags = `${args.quick ? " --quick" : ""}${args.rttMs ? ` --rtt ${args.rttMs}ms` : ""}${args.store !== "sqlite" ? ` --store ${args.store} --instances ${args.instances}` : ""}`;
  const command = `npm run bench${flags ? ` --${flags}` : ""}`;
  process.stdout.write(`\ngrantbot benchmark — ${new Date().toISOString()} — ${command}\n`);
  process.stdout.write(`machine: ${m.nproc} CPU (${m.cpu}), ${m.memory} memory, node ${m.node}, ${m.os}, disk ${m.disk}; fakes add ${args.rttMs} ms per request; grantbot at nice ${Number(process.env.BENCH_PRIORITY ?? 0)}; load average ${loadStart} at start, ${loadavg().map((l) => l.toFixed(2)).join(" ")} at end\nstore: ${cluster.describe()}\n\n`);
  process.stdout.write(`${table}\n\nBars (PRODUCT.md):\n${bars}\n`);
  const suffix = `${args.store === "postgres" ? `-postgres-x${args.instances}` : ""}${args.rttMs ? `-rtt${args.rttMs}ms` : args.quick ? "-quick" : ""}`;
  const out = resolve(ROOT, args.out ?? `bench/results${suffix}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command,
        options: { quick: args.quick, rttMs: args.rttMs, childPriority: Number(process.env.BENCH_PRIORITY ?? 0), store: args.store, instances: args.instances },
        machine: { ...m, store: cluster.describe(), loadAverage: { start: loadStart, end: loadavg().map((l) => Number(l.toFixed(2))) } },
        durationSec: Math.round((Date.now() - started) / 1000),
        figures: figures.map((f) => ({ key: f.key, title: f.title.trim(), ...(f.summary ?? {}), ...(f.notes ? { notes: f.notes } : {}), ...(f.extra ? { extra: f.extra } : {}), ...(f.pending ? { pending: f.pending } : {}), ...(f.bar ? { bar: f.bar } : {}) })),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nwrote ${join(out.startsWith(ROOT) ? out.slice(ROOT.length) : out)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
