/**
 * The evidence report, generated from a seeded database, opened in a real headless Chromium
 * (Debian's `chromium`, driven by playwright-core; .ci/run installs it when missing): no console
 * errors and no request leaves the file, every chart drawn with the marks the seed implies, the
 * tables sort and filter, and the same page read with scripts disabled. Screenshots go to
 * test-results/evidence/ (not committed).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderEvidencePage } from "../../src/adapters/report/evidence-page.ts";
import { parsePeriod } from "../../src/domain/evidence-period.ts";
import { gatherEvidence } from "../../src/services/evidence/gather-evidence.ts";
import { EXPECTED, NOW, seedEvidence, type Seeded } from "../integration/evidence-seed.ts";

const CHROMIUM = "/usr/bin/chromium";
const OUT = fileURLToPath(new URL("../../test-results/evidence/", import.meta.url));
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

let seeded: Seeded;
let url: string;
const profiles: string[] = [];
const contexts: BrowserContext[] = [];

async function open(javaScriptEnabled: boolean): Promise<{ page: Page; problems: string[] }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  const profile = mkdtempSync(join(tmpdir(), "grantbot-chromium-"));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, javaScriptEnabled, viewport: { width: 1280, height: 1000 } });
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`request to ${r.url()}`);
  });
  await page.goto(url);
  return { page, problems };
}

const marks = (page: Page, chart: string) => page.locator(`#${chart} svg g.mark-rect.role-mark > path`).count();
const visibleRows = (page: Page, table: string) => page.locator(`#${table} tbody tr:not([hidden])`).count();
const column = (page: Page, table: string, n: number) => page.locator(`#${table} tbody tr:not([hidden]) td:nth-child(${n})`).allTextContents();

beforeAll(async () => {
  seeded = await seedEvidence();
  const period = parsePeriod({}, NOW);
  if (!period.ok) throw new Error(period.error);
  const html = await renderEvidencePage(await gatherEvidence(seeded.deps, { period: period.period }), { source: "acme/grants" });
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, "report.html");
  writeFileSync(file, html);
  url = pathToFileURL(file).href;
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
  await seeded?.close();
});

describe("the evidence report in headless Chromium", () => {
  let page: Page;
  let problems: string[];
  beforeAll(async () => {
    ({ page, problems } = await open(true));
    await page.locator("html[data-script=ready]").waitFor({ state: "attached" });
  });

  it("loads from disk with no console error and no request beyond the file", () => {
    expect(problems).toEqual([]);
  });

  it.each([
    ["chart-timeline", EXPECTED.timelineBars],
    ["chart-expiry-lag", EXPECTED.lagBuckets],
    ["chart-leavers", EXPECTED.leaverBars],
    ["chart-approvals", EXPECTED.approvalMarks],
  ])("draws %s with %i marks", async (chart, expected) => {
    await expect(page.locator(`#${chart} svg`).isVisible()).resolves.toBe(true);
    expect(await marks(page, chart)).toBe(expected);
    expect(await page.locator(`#${chart}`).getAttribute("data-marks")).toBe(String(expected));
  });

  it("marks emergency grants in the timeline", async () => {
    expect(await page.locator('#chart-timeline svg g.mark-rect.role-mark > path[fill="#e45756"]').count()).toBe(2);
  });

  it("filters a table by every word typed, and shows how many rows match", async () => {
    const filter = page.getByLabel("Filter grants");
    expect(await visibleRows(page, "table-grants")).toBe(EXPECTED.listedGrants);
    await filter.fill("emergency");
    expect(await visibleRows(page, "table-grants")).toBe(2);
    await filter.fill("bob prod-admin");
    expect(await column(page, "table-grants", 3)).toEqual(["bob@example.com"]);
    await expect(page.locator("#grants .filter .count").textContent()).resolves.toBe(`1 of ${EXPECTED.listedGrants} rows`);
    await filter.fill("");
    expect(await visibleRows(page, "table-grants")).toBe(EXPECTED.listedGrants);
  });

  it("sorts a table by a column, both ways, and keeps filtering the sorted rows", async () => {
    const header = page.locator("#table-grants thead th", { hasText: "person" });
    await header.click();
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    const ascending = await column(page, "table-grants", 3);
    expect(ascending).toEqual([...ascending].sort());
    expect(ascending[0]).toBe("alice@example.com");
    await header.click();
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    expect((await column(page, "table-grants", 3))[0]).toBe("ivan@example.com");
    await page.getByLabel("Filter grants").fill("erin");
    expect(await visibleRows(page, "table-grants")).toBe(3);
    await page.getByLabel("Filter grants").fill("");
  });

  it("sorts durations by their value, an open case (no value) first", async () => {
    const took = page.locator("#table-leavers thead th", { hasText: "took" });
    await took.click();
    expect(await column(page, "table-leavers", 1)).toEqual(["hank@example.com (Hank Hill)", "gina@example.com (Gina Gray)"]);
    await took.click();
    expect(await column(page, "table-leavers", 1)).toEqual(["gina@example.com (Gina Gray)", "hank@example.com (Hank Hill)"]);
  });

  it("highlights every disagreement of the three-way comparison and the unreadable target", async () => {
    const rows = page.locator("#groups tr.problem td:first-child");
    expect((await rows.allTextContents()).map((t) => t.split(" ")[0]).sort()).toEqual(Object.values(EXPECTED.disagreements).flat().sort());
    await expect(page.locator("#groups .bad-note", { hasText: "could not be read" }).isVisible()).resolves.toBe(true);
  });

  it("takes a screenshot", async () => {
    await page.screenshot({ path: join(OUT, "report.png"), fullPage: true });
    await page.screenshot({ path: join(OUT, "report-top.png"), clip: { x: 0, y: 0, width: 1280, height: 1500 }, fullPage: true });
    expect(existsSync(join(OUT, "report.png"))).toBe(true);
  });
});

describe("the evidence report with scripts disabled", () => {
  it("still shows every chart and every table row, without the script's controls", async () => {
    const { page, problems } = await open(false);
    expect(await page.locator("html[data-script]").count()).toBe(0);
    for (const [chart, expected] of [["chart-timeline", EXPECTED.timelineBars], ["chart-expiry-lag", EXPECTED.lagBuckets], ["chart-leavers", EXPECTED.leaverBars], ["chart-approvals", EXPECTED.approvalMarks]] as const) {
      await expect(page.locator(`#${chart} svg`).isVisible()).resolves.toBe(true);
      expect(await marks(page, chart)).toBe(expected);
    }
    expect(await visibleRows(page, "table-grants")).toBe(EXPECTED.listedGrants);
    await expect(page.locator("#table-grants tbody tr").first().isVisible()).resolves.toBe(true);
    expect(await page.locator(".filter").count()).toBe(0);
    expect(await page.locator("#table-grants thead th button").count()).toBe(0);
    await page.screenshot({ path: join(OUT, "report-noscript.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});
