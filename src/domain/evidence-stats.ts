/**
 * The numbers of the evidence report: nearest-rank percentiles and the expiry-lag buckets. Pure.
 */
import type { Stat } from "./evidence-types.ts";

/**
 * Nearest-rank percentile of ascending `sorted` values: the smallest value with at least `p` % of
 * the values at or below it (so p99 of 100 values is the 99th, and p50 of [1, 2] is 1). Null for
 * no values. An auditor can check it by counting.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function statOf(values: Iterable<number>): Stat {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1]! : null };
}

/** Upper bounds (ms, exclusive) of the expiry-lag buckets; the last bucket is open-ended. */
export const LAG_BUCKET_EDGES = [100, 250, 500, 1_000, 2_000, 5_000, 60_000] as const;

export interface LagBucket {
  label: string;
  /** Position of the bucket, for sorting the bars left to right. */
  order: number;
  count: number;
  /** Later than the 1 s bar. */
  late: boolean;
}

function edgeLabel(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : ms < 60_000 ? `${ms / 1_000} s` : `${ms / 60_000} min`;
}

/** Every bucket, empty ones included (so the picture always has the same bars). */
export function lagBuckets(lags: readonly number[]): LagBucket[] {
  const buckets: LagBucket[] = [];
  let lower = 0;
  LAG_BUCKET_EDGES.forEach((edge, i) => {
    buckets.push({ label: `${i === 0 ? "< " : `${edgeLabel(lower)}–`}${edgeLabel(edge)}`, order: i, count: 0, late: lower >= 1_000 });
    lower = edge;
  });
  buckets.push({ label: `≥ ${edgeLabel(lower)}`, order: LAG_BUCKET_EDGES.length, count: 0, late: true });
  for (const lag of lags) {
    const i = LAG_BUCKET_EDGES.findIndex((edge) => lag < edge);
    buckets[i === -1 ? LAG_BUCKET_EDGES.length : i]!.count += 1;
  }
  return buckets;
}

/** `1.2 s`, `340 ms`, `3 min 5 s`, `2 h 10 min`, `1 d 4 h`; `–` for null. */
export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  const sign = ms < 0 ? "−" : "";
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1_000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const s = Math.round(a / 1_000);
  if (s < 3_600) return `${sign}${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.round(s / 60);
  if (m < 1_440) return `${sign}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
  const h = Math.round(m / 60);
  return `${sign}${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

/** `2026-11-22 10:00:00` (UTC, second precision); `–` for null. */
export function formatTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
