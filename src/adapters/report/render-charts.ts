/**
 * Renders the report's Vega-Lite charts to SVG on the server, without a browser: Vega-Lite
 * compiles each spec to Vega, and Vega's headless View writes SVG (`toSVG`). The SVG is inlined
 * in the page, so the pictures need neither network nor script to show.
 */
import { logger, parse, View, Warn } from "vega";
import { compile } from "vega-lite";
import type { ChartSpec } from "./chart-specs.ts";

export interface RenderedChart {
  chart: ChartSpec;
  /** The SVG, or null for a chart without data (the page says `chart.empty`). */
  svg: string | null;
}

/** Collects Vega's warnings instead of printing them (a CLI's stdout may be the report). */
function quietLogger(warnings: string[]) {
  return logger(Warn, undefined, (_method, level, args) => {
    warnings.push(`${level} ${args.map(String).join(" ")}`);
  });
}

/**
 * Vega numbers its clip paths and gradients from 1 in every SVG; with several charts on one page
 * the ids would collide. Each chart's ids get its own prefix.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`).replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`);
}

export async function renderChart(chart: ChartSpec, warnings: string[] = []): Promise<RenderedChart> {
  if (chart.marks === 0) return { chart, svg: null };
  const log = quietLogger(warnings);
  const vega = compile(chart.spec, { logger: log }).spec;
  const view = new View(parse(vega), { renderer: "none", logger: log });
  try {
    const svg = await view.toSVG();
    return { chart, svg: scopeSvgIds(svg, chart.id) };
  } finally {
    view.finalize();
  }
}

export async function renderCharts(charts: readonly ChartSpec[], warnings: string[] = []): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const chart of charts) out.push(await renderChart(chart, warnings));
  return out;
}
