/**
 * What recording use costs introspection (issue 15; bar: < 10 % of introspection throughput).
 * One run, one grantbot child: POST /oauth/introspect for tokens of live grants (the active path,
 * the one that records a use), 16 callers over keep-alive from a separate process, in rounds that
 * alternate recording off and on (the child swaps its UsageLog for one whose `record` does
 * nothing: test/crash/child-entry.ts `usage`), in ABBA order so drift in the machine's load hits
 * both alike. Throughput per mode is the median of its rounds; the overhead is the median of the
 * back-to-back pairs' (off - on) / off. The recorder's own cost per call is measured in process too
 * (a Map update: the HTTP figure's noise on a shared 2-core machine is far larger than it).
 */
import { openDatabase } from "../../../src/adapters/sqlite/database.ts";
import { SqliteUsageLog } from "../../../src/adapters/sqlite/sqlite-usage-log.ts";
import { INTROSPECTION_TOKEN } from "../../crash/world.ts";
import { runLoadTimed, type LoadRequest } from "../run-loadgen.ts";
import { summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The recorder on its own: a million uses over 1,000 grants in an in-memory database, then one flush. */
function recordCost(): { nsPerCall: number; calls: number; grants: number; flushMs: number } {
  const db = openDatabase(":memory:");
  try {
    const log = new SqliteUsageLog(db);
    const calls = 1_000_000;
    const grants = 1_000;
    const ids = Array.from({ length: grants }, (_, i) => `01GRANT${String(i).padStart(19, "0")}`);
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) log.record(ids[i % grants]!, 1_700_000_000_000 + i);
    const ns = Number(process.hrtime.bigint() - started);
    const t = performance.now();
    log.flush();
    return { nsPerCall: ns / calls, calls, grants, flushMs: performance.now() - t };
  } finally {
    db.close();
  }
}

export async function usageOverhead(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const active = new Set((await ctx.cluster.inspect.grants()).filter((g) => g.state === "active" && (g.expiresAt ?? 0) > Date.now() + 120_000).map((g) => g.id));
  const tokens = world.slack
    .messages()
    .map((m) => ({ text: m.text, id: /Grant `([0-9A-Z]{26})`/.exec(m.text)?.[1] }))
    .filter((m) => m.id && active.has(m.id) && JWT_RE.test(m.text))
    .map((m) => JWT_RE.exec(m.text)![0]);
  if (tokens.length === 0) throw new Error("no live credentials to introspect");
  const n = ctx.quick ? 1_500 : 2_000;
  const pairs = ctx.quick ? 6 : 16;
  const requests: LoadRequest[] = Array.from({ length: n }, (_, i) => ({
    path: "/oauth/introspect",
    headers: { authorization: `Bearer ${INTROSPECTION_TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: tokens[i % tokens.length]! }).toString(),
  }));
  const perSec: Record<"off" | "on", number[]> = { off: [], on: [] };
  const round = async (mode: "off" | "on") => {
    const answer = await world.request("usage", 10_000, { on: mode === "on" });
    if (answer.ok !== true) throw new Error("the grantbot child cannot switch usage recording (test/crash/child-entry.ts)");
    const { results, elapsedMs } = await runLoadTimed(world.url, requests, 16);
    const failed = results.filter((r) => r.status !== 200).length;
    if (failed > 0) throw new Error(`${failed} introspections did not answer 200`);
    perSec[mode].push(n / (elapsedMs / 1000));
  };
  try {
    for (let i = 0; i < pairs; i++) {
      // ABBA: off,on then on,off, so a machine getting busier or quieter affects both modes alike.
      for (const mode of i % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) await round(mode);
    }
  } finally {
    await world.request("usage", 10_000, { on: true });
  }
  const off = median(perSec.off);
  const on = median(perSec.on);
  // Each pair ran back to back: its ratio is less exposed to the machine's load changing between pairs.
  const pairPct = perSec.off.map((o, i) => ((o - perSec.on[i]!) / o) * 100);
  const overheadPct = median(pairPct);
  const sortedPct = [...pairPct].sort((a, b) => a - b);
  const quartiles = [sortedPct[Math.floor(sortedPct.length / 4)]!, sortedPct[Math.floor((3 * sortedPct.length) / 4)]!];
  const micro = recordCost();
  const rounds = (xs: number[]) => xs.map((x) => Math.round(x)).join(", ");
  const common = `${pairs} rounds each of ${n} requests, 16 callers, ${tokens.length} live tokens, alternating ABBA; median of rounds`;
  return [
    { key: "introspection_usage_off_per_second", title: "Introspection, use NOT recorded, per second", summary: summarize([off], "/s"), notes: `${common}; rounds ${rounds(perSec.off)}`, extra: { rounds: perSec.off } },
    { key: "introspection_usage_on_per_second", title: "Introspection, use recorded, per second", summary: summarize([on], "/s"), notes: `${common}; rounds ${rounds(perSec.on)}`, extra: { rounds: perSec.on } },
    {
      key: "introspection_usage_overhead_pct",
      title: "  cost of recording use (throughput lost)",
      summary: summarize([Math.round(overheadPct * 10) / 10], "%"),
      notes: `median over the ${pairs} back-to-back pairs (off - on) / off (middle half of the pairs: ${quartiles.map((q) => q.toFixed(1)).join(" to ")} %); negative = within the noise. In process: UsageLog.record costs ${micro.nsPerCall.toFixed(0)} ns per call, ${((micro.nsPerCall / (1e9 / off)) * 100).toFixed(3)} % of one introspection at ${Math.round(off)}/s (${micro.calls} calls over ${micro.grants} grants, flush of those grants ${micro.flushMs.toFixed(1)} ms)`,
      extra: { pairs: perSec.off.map((o, i) => ({ off: o, on: perSec.on[i] })), quartilesPct: quartiles, recordNsPerCall: micro.nsPerCall, flushMs: micro.flushMs },
      bar: { text: "introspection usage recording costs < 10 % of introspection throughput", met: overheadPct < 10, why: `${overheadPct.toFixed(1)} % (median ${Math.round(off)}/s without, ${Math.round(on)}/s with)` },
    },
  ];
}
