/**
 * One table from several benchmark runs (bench/results*.json), figure by figure: e.g. SQLite vs
 * PostgreSQL on one instance, or 1 vs 3 instances.
 *
 *   node --import tsx test/bench/compare.ts bench/results.json bench/results-postgres-x1.json [more…]
 *
 * Each run's column shows p50 / p99 (one value for single-sample figures such as throughput), and
 * its heading names the store, the instance count and the load average during the run.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fmt } from "./stats.ts";

interface RunFigure {
  key: string;
  title: string;
  n?: number;
  p50?: number;
  p99?: number;
  unit?: string;
  pending?: string;
  bar?: { met: boolean };
}

interface Run {
  options: { store?: string; instances?: number; quick?: boolean };
  machine: { loadAverage?: { start: string; end: number[] } };
  figures: RunFigure[];
}

function label(run: Run, file: string): string {
  const store = run.options.store ?? "sqlite";
  const n = run.options.instances ?? 1;
  const load = run.machine.loadAverage ? `, load ${run.machine.loadAverage.start.split(" ")[0]}` : "";
  return `${store === "postgres" ? "PostgreSQL" : "SQLite"} ×${n}${run.options.quick ? " quick" : ""}${load} (${basename(file)})`;
}

function cell(f: RunFigure | undefined): string {
  if (!f) return "";
  if (f.pending) return "–";
  const value = f.n === 1 ? fmt(f.p50!) : `${fmt(f.p50!)} / ${fmt(f.p99!)}`;
  return `${value}${f.bar ? (f.bar.met ? " ✓" : " ✗") : ""}`;
}

const files = process.argv.slice(2);
if (files.length < 2) {
  process.stderr.write("usage: node --import tsx test/bench/compare.ts A.json B.json [more.json]\n");
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as Run);
const keys: string[] = [];
const titles = new Map<string, { title: string; unit: string }>();
for (const run of runs) {
  for (const f of run.figures) {
    if (!titles.has(f.key)) keys.push(f.key);
    if (!titles.has(f.key) || !titles.get(f.key)!.unit) titles.set(f.key, { title: f.title, unit: f.unit ?? "" });
  }
}
const head = ["figure", "unit", ...runs.map((r, i) => label(r, files[i]!))];
const rows = keys.map((k) => [titles.get(k)!.title, titles.get(k)!.unit, ...runs.map((r) => cell(r.figures.find((f) => f.key === k)))]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
process.stdout.write(`${[line(head), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n")}\n`);
process.stdout.write("\np50 / p99 per run (one value: a single measurement, e.g. a rate); ✓/✗ the figure's bar met or missed.\n");
