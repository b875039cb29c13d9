/** Percentiles (nearest-rank) and small formatting helpers for the benchmark. */

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Unit of the numbers: "ms", "calls", "/s", "MB"... */
  unit: string;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[], unit = "ms"): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : v);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    unit,
  };
}

/** A single measured value reported in the same shape (n = 1). */
export function single(value: number, unit: string): Summary {
  return summarize([value], unit);
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 1000) return Math.round(v).toString();
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export { mapLimit } from "../../src/shared/map-limit.ts";
