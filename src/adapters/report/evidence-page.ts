/**
 * The evidence report as one self-contained HTML file: inline CSS, inline SVG charts (rendered
 * on the server), plain tables, and one small inline script for sorting and filtering. A
 * Content-Security-Policy allows nothing to load from anywhere and only that exact script (by
 * its hash) to run, so the page opens from disk offline and text from the data can never
 * become markup or code.
 */
import { createHash } from "node:crypto";
import type { EvidenceReport } from "../../domain/evidence-types.ts";
import { SCRIPT, STYLES } from "./assets.ts";
import { chartSpecs } from "./chart-specs.ts";
import { esc, t } from "./html-kit.ts";
import { renderCharts, type RenderedChart } from "./render-charts.ts";
import { auditSection, lateExpiriesSection, summarySection } from "./summary-section.ts";
import { breakglassTable, grantsTable, groupsSection, leaversTable, peopleTable, reviewsTable } from "./tables-section.ts";

export const SCRIPT_HASH = `sha256-${createHash("sha256").update(SCRIPT).digest("base64")}`;
const CSP = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

function figure(c: RenderedChart): string {
  const { chart } = c;
  const body = c.svg ?? `<p class="empty">${esc(chart.empty)}</p>`;
  return `<figure id="${esc(chart.id)}" data-marks="${chart.marks}"><h3>${esc(chart.title)}</h3>${body}<figcaption>${esc(chart.caption)}</figcaption></figure>`;
}

export interface PageOptions {
  /** Shown in the title, e.g. the grants repository. */
  source?: string;
  /** Collects Vega's warnings (none expected). */
  warnings?: string[];
}

export async function renderEvidencePage(report: EvidenceReport, options: PageOptions = {}): Promise<string> {
  const charts = await renderCharts(chartSpecs(report), options.warnings);
  const period = `${t(report.period.from)} – ${t(report.period.to)} UTC`;
  const title = `grantbot evidence${options.source ? ` · ${options.source}` : ""}`;
  const notes = report.notes.length ? `<section id="notes"><h2>Notes</h2><ul class="notes">${report.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></section>` : "";
  const nav = [
    ["summary", "Summary"],
    ["pictures", "Pictures"],
    ["groups", "Three-way comparison"],
    ["grants", "Grants"],
    ["leavers", "Leavers"],
    ["reviews", "Access reviews"],
    ["breakglass", "Break-glass"],
    ["audit", "Audit log"],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="grantbot evidence">
<title>${esc(title)}: ${esc(period)}</title>
<style>${STYLES}</style>
</head>
<body>
<header><div class="inner"><h1>${esc(title)}</h1><p>Audit period ${esc(period)} · generated ${esc(t(report.generatedAt))} UTC · ${esc(report.grants.length)} grants</p><nav>${nav}</nav></div></header>
<main>
${summarySection(report)}
${lateExpiriesSection(report)}
<section id="pictures"><h2>Pictures</h2>${charts.map(figure).join("\n")}</section>
${groupsSection(report)}
${grantsTable(report)}
${leaversTable(report)}
${reviewsTable(report)}
${breakglassTable(report)}
${auditSection(report)}
${peopleTable(report)}
${notes}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
