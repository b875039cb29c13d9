/**
 * The evidence report's pictures as Vega-Lite specifications (pure data, rendered to SVG by
 * render-charts.ts). Each chart says how many data marks it draws (`marks`), so the page can
 * state it and the browser test can count them. Only data values vary: nothing a user typed ever
 * reaches an expression, and labels are escaped by Vega's SVG renderer.
 */
import type { TopLevelSpec } from "vega-lite";
import { lagBuckets } from "../../domain/evidence-stats.ts";
import type { EvidenceReport } from "../../domain/evidence-types.ts";

export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  /** Data marks (bars) the chart draws; 0 = no chart, `empty` says why. */
  marks: number;
  empty: string;
  spec: TopLevelSpec;
}

export const MAX_LEAVER_BARS = 50;
export const MAX_REVIEWERS = 40;
const WIDTH = 760;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const GRANT = "reviewed grant";
const EMERGENCY = "emergency (break-glass)";

const base = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  config: { font: FONT, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11, grid: true, gridColor: "#e5e7eb" }, legend: { labelFontSize: 11, orient: "top", labelLimit: 320 } },
} as const;

function timelineChart(r: EvidenceReport): ChartSpec {
  const { bars, lanes, shownLanes } = r.timeline;
  const values = bars.map((b) => ({ lane: b.lane, start: b.start, end: b.end, kind: b.emergency ? EMERGENCY : GRANT }));
  return {
    id: "chart-timeline",
    title: "Who held what, when",
    caption: `One bar per activated grant, one row per resource and person (UTC)${lanes > shownLanes ? `; the ${shownLanes} most recent of ${lanes} rows — the grants table lists every grant` : ""}. Emergency (break-glass) grants are red.`,
    marks: values.length,
    empty: "No grant was active in the period.",
    spec: {
      ...base,
      width: WIDTH,
      height: { step: 16 },
      data: { values },
      mark: { type: "bar", stroke: { expr: "datum.kind === 'emergency (break-glass)' ? '#c62828' : '#2f5d8a'" }, strokeWidth: 1.5, cornerRadius: 1 },
      encoding: {
        y: { field: "lane", type: "nominal", sort: null, title: null, axis: { labelLimit: 420, grid: false } },
        x: { field: "start", type: "temporal", scale: { type: "utc", domainMin: r.period.from, domainMax: r.period.to }, title: null, axis: { format: "%Y-%m-%d", labelOverlap: true } },
        x2: { field: "end" },
        color: { field: "kind", type: "nominal", scale: { domain: [GRANT, EMERGENCY], range: ["#4c78a8", "#e45756"] }, legend: { title: null } },
      },
    },
  };
}

function lagChart(r: EvidenceReport): ChartSpec {
  const values = lagBuckets(r.expiryLags).map((b) => ({ ...b, band: b.late ? "later than 1 s" : "within 1 s" }));
  return {
    id: "chart-expiry-lag",
    title: "Expiry lag: expiry second → SCIM removal verified",
    caption: `${r.expiryLags.length} expiries in the period, by how late the removal was verified. The bar is 1 s.`,
    marks: r.expiryLags.length ? values.length : 0,
    empty: "No grant expired in the period.",
    spec: {
      ...base,
      width: WIDTH,
      height: 220,
      data: { values },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x: { field: "label", type: "ordinal", sort: { field: "order", op: "min" }, title: "lag", axis: { labelAngle: 0 } },
            y: { field: "count", type: "quantitative", title: "expiries", axis: { tickMinStep: 1, format: "d" } },
            color: { field: "band", type: "nominal", scale: { domain: ["within 1 s", "later than 1 s"], range: ["#54a24b", "#e45756"] }, legend: { title: null } },
          },
        },
        {
          mark: { type: "text", dy: -6, fontSize: 11 },
          encoding: { x: { field: "label", type: "ordinal", sort: { field: "order", op: "min" } }, y: { field: "count", type: "quantitative" }, text: { field: "count", type: "quantitative" } },
        },
      ],
    },
  };
}

function leaverChart(r: EvidenceReport): ChartSpec {
  const done = r.leavers.filter((l) => l.tookMs !== null).sort((a, b) => b.tookMs! - a.tookMs!);
  const shown = done.slice(0, MAX_LEAVER_BARS);
  const values = shown.map((l) => ({ leaver: `${l.email} (${l.caseId ?? "-"})`, seconds: l.tookMs! / 1_000 }));
  return {
    id: "chart-leavers",
    title: "Leavers: detection → every access removed and verified",
    caption: `One bar per completed offboarding case, slowest first${done.length > shown.length ? ` (the ${shown.length} slowest of ${done.length})` : ""}.`,
    marks: values.length,
    empty: "No offboarding case completed in the period.",
    spec: {
      ...base,
      width: WIDTH - 200,
      height: { step: 18 },
      data: { values },
      mark: { type: "bar", color: "#72b7b2" },
      encoding: {
        y: { field: "leaver", type: "nominal", sort: null, title: null, axis: { labelLimit: 420, grid: false } },
        x: { field: "seconds", type: "quantitative", title: "seconds" },
      },
    },
  };
}

function approvalsChart(r: EvidenceReport): ChartSpec {
  const totals = new Map<string, number>();
  for (const a of r.approvals) totals.set(a.reviewer, (totals.get(a.reviewer) ?? 0) + a.count);
  const top = new Set([...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_REVIEWERS).map(([name]) => name));
  const values = r.approvals.filter((a) => top.has(a.reviewer)).map((a) => ({ reviewer: a.reviewer, kind: a.kind, count: a.count }));
  return {
    id: "chart-approvals",
    title: "Approvals per reviewer",
    caption: `Approving reviews of grants, break-glass reviews and access-review certifications in the period${totals.size > top.size ? ` (the ${top.size} busiest of ${totals.size} reviewers)` : ""}.`,
    marks: values.length,
    empty: "No approval in the period.",
    spec: {
      ...base,
      width: WIDTH - 200,
      height: { step: 18 },
      data: { values },
      mark: { type: "bar" },
      encoding: {
        y: { field: "reviewer", type: "nominal", sort: { op: "sum", field: "count", order: "descending" }, title: null, axis: { labelLimit: 420, grid: false } },
        x: { field: "count", type: "quantitative", title: "approvals", stack: "zero", axis: { tickMinStep: 1, format: "d" } },
        color: { field: "kind", type: "nominal", scale: { domain: ["grant", "break-glass review", "access review"], range: ["#4c78a8", "#e45756", "#f58518"] }, legend: { title: null } },
      },
    },
  };
}

export function chartSpecs(report: EvidenceReport): ChartSpec[] {
  return [timelineChart(report), lagChart(report), leaverChart(report), approvalsChart(report)];
}
