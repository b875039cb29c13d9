/**
 * Small HTML helpers of the evidence page. Everything that reaches the page from data goes
 * through `esc` (text and attribute values alike); links only ever point at http(s) URLs.
 */
import { formatMs, formatTime } from "../../domain/evidence-stats.ts";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * A safe `<a>` for an http(s) URL; other schemes (javascript:, data:) become plain text. No `rel`:
 * a page opened from disk sends no referrer, and the bytes count on a 10,000-grant table.
 */
export function link(url: string | null, label: string): string {
  if (!url) return "–";
  return /^https?:\/\//i.test(url) ? `<a href="${esc(url)}">${esc(label)}</a>` : esc(url);
}

/** `#123` from a pull request URL, else the URL. */
export function prLabel(url: string): string {
  const m = /\/pull\/(\d+)\/?$/.exec(url);
  return m ? `#${m[1]}` : url;
}

export const t = (ms: number | null) => formatTime(ms);
export const d = (ms: number | null) => formatMs(ms);

/** A table cell: text, or pre-escaped HTML, with an optional numeric sort key. */
export type Cell = string | number | null | { html: string; sort?: number | null } | { text: string; sort: number | null; cls?: string };

function cell(c: Cell): string {
  if (c === null) return "<td>–</td>";
  if (typeof c === "number") return `<td data-v="${c}">${esc(c)}</td>`;
  if (typeof c === "string") return `<td>${esc(c)}</td>`;
  const sort = c.sort === undefined ? "" : ` data-v="${c.sort === null ? "" : c.sort}"`;
  if ("html" in c) return `<td${sort}>${c.html}</td>`;
  return `<td${sort}${c.cls ? ` class="${esc(c.cls)}"` : ""}>${esc(c.text)}</td>`;
}

/** A duration cell that sorts by its value. */
export const dur = (ms: number | null): Cell => ({ text: formatMs(ms), sort: ms });

/**
 * A plain HTML table the inline script makes sortable and filterable (`data-sortable`); without
 * script it is an ordinary table. `rowClass` marks rows (e.g. a disagreement).
 */
export function table(id: string, name: string, head: readonly string[], rows: readonly (readonly Cell[])[], rowClass?: (i: number) => string | null, empty = "None in the period."): string {
  if (rows.length === 0) return `<p class="empty" id="${esc(id)}">${esc(empty)}</p>`;
  const body = rows
    .map((r, i) => {
      const cls = rowClass?.(i);
      return `<tr${cls ? ` class="${esc(cls)}"` : ""}>${r.map(cell).join("")}</tr>`;
    })
    .join("\n");
  return `<div class="scroll"><table id="${esc(id)}" data-sortable data-name="${esc(name)}"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

export type Tone = "good" | "warn" | "bad" | "plain";

export function tile(title: string, value: string, detail: string, tone: Tone = "plain"): string {
  return `<div class="tile ${tone}"><h3>${esc(title)}</h3><p class="value">${esc(value)}</p><p class="detail">${esc(detail)}</p></div>`;
}
