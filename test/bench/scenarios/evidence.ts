/**
 * `grantbot evidence` over 90 days of history with 10,000 grants (2,000 with --quick): the real
 * CLI in its own process against the benchmark's fake GitHub (catalog) and SCIM targets (the
 * three-way comparison reads every managed group live), on a data directory of its own written by
 * evidence-history.ts. Figures: wall time (process start included), the HTML's size, peak RSS,
 * and the same report built in this process (gather + render, no process start).
 * PRODUCT.md bar: a report over 10,000 grants builds in < 5 s and weighs < 5 MB.
 * BENCH_EVIDENCE_PROF=<dir> writes a CPU profile of each CLI run there.
 * On PostgreSQL (`databaseUrl`): the same history, moved into that (empty) database with
 * `grantbot store copy`'s code, and the CLI run with GRANTBOT_DATABASE_URL.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openPgStore } from "../../../src/adapters/postgres/open-pg-store.ts";
import { openStore } from "../../../src/adapters/sqlite/open-store.ts";
import { copyStore } from "../../../src/adapters/store-copy/copy-store.ts";
import { createGroupDirectories } from "../../../src/adapters/scim/group-directories.ts";
import { renderEvidencePage } from "../../../src/adapters/report/evidence-page.ts";
import { parsePeriod } from "../../../src/domain/evidence-period.ts";
import { gatherEvidence } from "../../../src/services/evidence/gather-evidence.ts";
import { parsePolicy, StaticPolicyProvider } from "../../../src/services/policy/policy-provider.ts";
import { ROOT } from "../../crash/world.ts";
import { writeEvidenceHistory } from "../evidence-history.ts";
import { catalogText, peopleText } from "../population.ts";
import { summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const CLI = fileURLToPath(new URL("../cli-rss.ts", import.meta.url));
const MB = 2 ** 20;

async function runCli(env: Record<string, string>, args: string[]): Promise<{ wallMs: number; maxRss: number; cpuMs: number }> {
  const started = performance.now();
  const prof = process.env.BENCH_EVIDENCE_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_EVIDENCE_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, "--import", "tsx", CLI, "evidence", ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`grantbot evidence exited ${code}: ${err.slice(-1500)}`);
  return { wallMs, maxRss: Number(/maxRSS=(\d+)/.exec(err)?.[1] ?? Number.NaN), cpuMs: Number(/cpuMs=(\d+)/.exec(err)?.[1] ?? Number.NaN) };
}

/** gather + render in this process, against the same database and targets (no process start). */
async function inProcess(ctx: BenchContext, dataDir: string, now: number, databaseUrl?: string): Promise<number> {
  const store = databaseUrl ? await openPgStore(databaseUrl, { now: () => now }, { max: 2 }) : openStore(dataDir, { now: () => now });
  try {
    const targets = createGroupDirectories([...ctx.world.scim.entries()].map(([name, server]) => ({ name, url: server.url, token: server.token, profile: "generic" as const })));
    const deps = { audit: store.audit, clock: { now: () => now }, grants: store.grants, jobs: store.jobs, offboarding: store.offboarding, people: store.people, policy: new StaticPolicyProvider(parsePolicy(catalogText(), peopleText(400))), reviews: store.reviews, targets };
    const period = parsePeriod({}, now);
    if (!period.ok) throw new Error(period.error);
    const started = performance.now();
    await renderEvidencePage(await gatherEvidence(deps, { period: period.period }));
    return performance.now() - started;
  } finally {
    await store.close();
  }
}

export async function evidenceFigures(ctx: BenchContext, opts: { databaseUrl?: string } = {}): Promise<Figure[]> {
  const count = ctx.quick ? 2_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), "grantbot-evidence-bench-"));
  const dataDir = join(dir, "data");
  const now = Date.now();
  ctx.log(`writing 90 days of history with ${count} grants`);
  const seeded = await writeEvidenceHistory(dataDir, { count, people: 400, now });
  if (opts.databaseUrl) {
    ctx.log("copying it into a fresh PostgreSQL database (grantbot store copy)");
    await copyStore({ from: dataDir, to: opts.databaseUrl, keyEncryptionKey: randomBytes(32) });
  }
  const env = { ...ctx.world.env, GRANTBOT_DATA_DIR: dataDir, ...(opts.databaseUrl ? { GRANTBOT_DATABASE_URL: opts.databaseUrl } : {}) };
  const html = join(dir, "evidence.html");
  const json = join(dir, "evidence.json");
  // Three runs (one with --quick): the first also fills tsx's compile cache, as any first command does.
  const load = loadavg()[0]!.toFixed(1);
  const runs: { wallMs: number; maxRss: number; cpuMs: number }[] = [];
  for (let i = 0; i < (ctx.quick ? 1 : 3); i++) runs.push(await runCli(env, ["--out", html]));
  const walls = runs.map((r) => r.wallMs);
  const worst = Math.max(...walls);
  await runCli(env, ["--json", "--out", json]);
  const htmlBytes = statSync(html).size;
  const jsonBytes = statSync(json).size;
  const builtMs = await inProcess(ctx, dataDir, now, opts.databaseUrl);
  const label = count.toLocaleString("en");
  const met = worst < 5_000 && htmlBytes < 5 * MB;
  return [
    {
      key: `evidence_${count}_wall`,
      title: `Evidence report, ${label} grants / 90 days: wall time`,
      summary: summarize(walls),
      notes: `grantbot evidence in its own process, process start included (first run: ${(walls[0]! / 1_000).toFixed(2)} s); ${seeded.auditRows.toLocaleString("en")} audit rows; gather + render in-process ${Math.round(builtMs)} ms`,
      extra: { inProcessMs: Math.round(builtMs), auditRows: seeded.auditRows },
      ...(count === 10_000 ? { bar: { text: "An evidence report over 10,000 grants builds in < 5 s and weighs < 5 MB", met, why: `slowest of ${walls.length} runs ${(worst / 1_000).toFixed(2)} s, ${(htmlBytes / MB).toFixed(2)} MB` } } : {}),
    },
    { key: `evidence_${count}_cpu`, title: `Evidence report, ${label} grants / 90 days: CPU time (user + system)`, summary: summarize(runs.map((r) => r.cpuMs)), notes: `the same runs; machine load average ${load} when they started (wall time grows with it, CPU time much less)` },
    { key: `evidence_${count}_html_size`, title: `Evidence report, ${label} grants / 90 days: HTML size`, summary: summarize([htmlBytes / MB], "MB"), notes: `JSON (--json) ${(jsonBytes / MB).toFixed(2)} MB` },
    { key: `evidence_${count}_rss`, title: `Evidence report, ${label} grants / 90 days: peak RSS`, summary: summarize(runs.map((r) => r.maxRss / MB), "MB") },
  ];
}
