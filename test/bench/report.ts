/** The benchmark's table (stdout) and JSON (bench/results.json). */
import { fmt } from "./stats.ts";
import type { Figure } from "./scenarios/types.ts";

export function renderTable(figures: Figure[]): string {
  const rows = figures.map((f) =>
    f.summary
      ? [f.title, String(f.summary.n), fmt(f.summary.p50), fmt(f.summary.p95), fmt(f.summary.p99), fmt(f.summary.max), f.summary.unit, f.notes ?? ""]
      : [f.title, "–", "–", "–", "–", "–", "", `pending: ${f.pending ?? "not measured"}`],
  );
  const head = ["figure", "n", "p50", "p95", "p99", "max", "unit", "notes"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 7 ? 0 : r[i]!.length))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 7 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : i === 7 ? "---" : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function renderBars(figures: Figure[], testBars: string[]): string {
  const lines = figures.filter((f) => f.bar).map((f) => `- [${f.bar!.met ? "met" : "MISSED"}] ${f.bar!.text} — ${f.bar!.why}`);
  return [...lines, ...testBars.map((t) => `- [tested] ${t}`)].join("\n");
}
