/**
 * The evidence page's inline CSS and script. The script only adds sorting (click a column
 * header) and filtering (a search box above each table) to tables marked `data-sortable`; the
 * page reads the same without it. Plain ES2019 and DOM, no library, no network.
 */

export const STYLES = `
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--good:#166534;--goodbg:#f0fdf4;--bad:#991b1b;--badbg:#fef2f2;--warn:#92400e;--warnbg:#fffbeb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#f9fafb}
header,main{max-width:1200px;margin:0 auto;padding:16px 24px}
header{background:#111827;color:#f9fafb;max-width:none}
header .inner{max-width:1152px;margin:0 auto}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#d1d5db}
nav{margin-top:8px}nav a{color:#93c5fd;margin-right:12px}
h2{margin:28px 0 8px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:16px 0 6px;font-size:15px}
.muted{color:var(--muted);font-weight:normal}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px}
.tile{background:#fff;border:1px solid var(--line);border-left:5px solid #9ca3af;border-radius:6px;padding:10px 12px}
.tile h3{margin:0;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
.tile .value{margin:4px 0;font-size:18px;font-weight:600}
.tile .detail{margin:0;color:var(--muted);font-size:12px}
.tile.good{border-left-color:#16a34a}.tile.bad{border-left-color:#dc2626;background:var(--badbg)}.tile.warn{border-left-color:#d97706;background:var(--warnbg)}
figure{margin:12px 0 20px;background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px;overflow-x:auto}
figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:12px;margin-top:4px}
.scroll{overflow-x:auto;max-height:640px;overflow-y:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td{white-space:nowrap}
#table-grants td:nth-child(5),.scroll td.wrap,[id^=table-group] td:nth-child(n+3){white-space:normal;min-width:200px;overflow-wrap:break-word}
thead th{position:sticky;top:0;background:#f3f4f6;z-index:1;white-space:nowrap}
th button{all:unset;cursor:pointer;font-weight:600;display:block;width:100%;box-sizing:border-box}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
tr.problem td{background:var(--badbg);color:var(--bad)}
tr.emergency td:nth-child(4){color:var(--bad);font-weight:600}
.filter{margin:6px 0}.filter input{padding:4px 8px;width:280px;max-width:100%;border:1px solid #d1d5db;border-radius:4px}
.filter .count{margin-left:8px;color:var(--muted);font-size:12px}
.bad-note{color:var(--bad);background:var(--badbg);padding:6px 8px;border-radius:4px}
.good-note{color:var(--good);background:var(--goodbg);padding:6px 8px;border-radius:4px}
.empty{color:var(--muted);font-style:italic}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.hash{overflow-wrap:anywhere}
ul.notes li,ul.problems li{margin:2px 0}
@media print{.filter{display:none}.scroll{max-height:none;overflow:visible}header{background:none;color:#000}}
`;

export const SCRIPT = `(function () {
  "use strict";
  function keyOf(row, col) {
    var c = row.cells[col];
    if (!c) return "";
    var v = c.getAttribute("data-v");
    if (v === null) return c.textContent;
    return v === "" ? -Infinity : Number(v);
  }
  function setUp(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var box = document.createElement("div");
    box.className = "filter";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter rows (all words must match)";
    input.setAttribute("aria-label", "Filter " + (table.getAttribute("data-name") || "rows"));
    var count = document.createElement("span");
    count.className = "count";
    box.appendChild(input);
    box.appendChild(count);
    table.parentNode.parentNode.insertBefore(box, table.parentNode);
    function filter() {
      var words = input.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + rows.length + " rows";
    }
    input.addEventListener("input", filter);
    filter();
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var keyed = rows.map(function (r, i) { return [keyOf(r, col), i]; });
        keyed.sort(function (a, b) {
          var x = a[0], y = b[0];
          var c = typeof x === "number" && typeof y === "number" ? (x < y ? -1 : x > y ? 1 : 0) : String(x).localeCompare(String(y), undefined, { numeric: true });
          return c * dir || a[1] - b[1];
        });
        var frag = document.createDocumentFragment();
        var order = keyed.map(function (k) { return k[1]; });
        order.forEach(function (i) { frag.appendChild(rows[i]); });
        rows = order.map(function (i) { return rows[i]; });
        texts = order.map(function (i) { return texts[i]; });
        tbody.appendChild(frag);
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), setUp);
  document.documentElement.setAttribute("data-script", "ready");
})();`;
