/**
 * `grantbot reconcile --json` with many live grants across the benchmark's 20 groups (two SCIM
 * targets), run as its own process: wall time and peak RSS. The grants and memberships are seeded
 * in agreement (no drift), so the figure is the cost of reading and comparing, not of repairs.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ROOT } from "../../crash/world.ts";
import { BENCH_GROUPS, benchPerson, benchResource } from "../population.ts";
import { seedActiveGrants } from "../seed.ts";
import { summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const CLI = fileURLToPath(new URL("../cli-rss.ts", import.meta.url));

export async function reconcileFigures(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const count = ctx.quick ? 2_000 : 10_000;
  const people = Array.from({ length: count }, () => benchPerson(ctx.nextPerson()));
  await ctx.cluster.stopAll();
  ctx.log(`seeding ${count} live grants over ${BENCH_GROUPS} groups`);
  await seedActiveGrants(ctx.cluster, { people, resource: (i) => benchResource(i % BENCH_GROUPS).id, expiresAt: () => Date.now() + 86_400_000, scope: "bench:use", dm: false });
  for (const server of world.scim.values()) server.clearRequests();
  const started = performance.now();
  const child = spawn(process.execPath, [...(process.env.BENCH_RECONCILE_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_RECONCILE_PROF}`] : []), "--import", "tsx", CLI, "reconcile", "--json"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...world.env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const wallMs = performance.now() - started;
  const maxRss = Number(/maxRSS=(\d+)/.exec(err)?.[1] ?? Number.NaN);
  if (code !== 0 && code !== 2) throw new Error(`grantbot reconcile exited ${code}: ${err.slice(-1500)}`);
  const report = JSON.parse(out) as { resources: { missing: string[]; unexpected: string[] }[] };
  const drift = report.resources.reduce((n, r) => n + r.missing.length + r.unexpected.length, 0);
  const requests = [...world.scim.values()].flatMap((server) => server.requests());
  const pages = requests.filter((r) => r.method === "GET" && r.path === "/Users").length;
  await ctx.cluster.spawnAll();
  const label = count.toLocaleString("en");
  return [
    { key: `reconcile_${count}_wall`, title: `Reconcile ${label} live grants / ${BENCH_GROUPS} groups: wall time`, summary: summarize([wallMs]), notes: `exit ${code}, ${drift} drift entries; ${requests.length} SCIM requests (${pages} pages of /Users); includes process start (~1 s)` },
    { key: `reconcile_${count}_rss`, title: `Reconcile ${label} live grants / ${BENCH_GROUPS} groups: peak RSS`, summary: summarize([maxRss / 2 ** 20], "MB") },
  ];
}
