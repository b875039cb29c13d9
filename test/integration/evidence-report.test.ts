import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { renderEvidencePage } from "../../src/adapters/report/evidence-page.ts";
import { parsePeriod } from "../../src/domain/evidence-period.ts";
import type { EvidenceReport } from "../../src/domain/evidence-types.ts";
import { gatherEvidence } from "../../src/services/evidence/gather-evidence.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";
import { CATALOG, EXPECTED, HOSTILE_REASON, NOW, PEOPLE, seedEvidence, type Seeded } from "./evidence-seed.ts";

const SECRETS = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.|xox[abeprs]-|ghp_|-----BEGIN|unused-token-for-okta|scim-test-token/;

let seeded: Seeded;
let report: EvidenceReport;
let html: string;

beforeAll(async () => {
  seeded = await seedEvidence();
  const period = parsePeriod({}, NOW);
  if (!period.ok) throw new Error(period.error);
  report = await gatherEvidence(seeded.deps, { period: period.period });
  const warnings: string[] = [];
  html = await renderEvidencePage(report, { source: "acme/grants", warnings });
  expect(warnings).toEqual([]);
});
afterAll(async () => {
  await seeded?.close();
});

const disagreements = (r: EvidenceReport) => Object.fromEntries(r.groups.filter((g) => !g.readError).map((g) => [g.group, g.members.filter((m) => m.problem).map((m) => m.email)]));

describe("the evidence report of a seeded database", () => {
  it("counts the period's grants, timings, late expiries, leavers, break-glass, reviews and drift", () => {
    const s = report.summary;
    expect(report.grants).toHaveLength(EXPECTED.listedGrants);
    expect(report.grants.map((g) => g.id)).not.toContain(seeded.grants.old!.id);
    expect([s.requested, s.approved, s.rejected, s.declined, s.activeNow]).toEqual([EXPECTED.requested, EXPECTED.approved, 1, 1, 2]);
    expect(s.approvalTime).toEqual({ n: 9, p50: 300_000, p99: 300_000, max: 300_000 });
    expect(s.accessTime).toEqual({ n: 9, p50: 400, p99: 400, max: 400 });
    expect(s.expiryLag).toEqual({ n: EXPECTED.expiries, p50: 200, p99: 2_500, max: 2_500 });
    expect(s.lateExpiries).toEqual([expect.objectContaining({ grantId: seeded.grants.g2!.id, lagMs: 2_500, verified: true })]);
    expect(s.leavers).toEqual({ count: 2, completed: 1, inProgress: 1, removal: { n: 1, p50: 42_000, p99: 42_000, max: 42_000 } });
    expect(s.breakglass).toMatchObject({ uses: EXPECTED.breakglassUses, "reviewed in time": 1, overdue: 1 });
    expect(report.breakglass.map((b) => [b.subject, b.status, b.reviewers])).toEqual([
      ["frank@example.com", "reviewed in time", ["dave@example.com"]],
      ["bob@example.com", "overdue", []],
    ]);
    expect(s.reviews).toMatchObject({ certified: 1, open: 1, overdue: 1 });
    expect(report.reviews.find((r) => r.outcome === "certified")).toMatchObject({ resource: "prod-db-readonly", kept: 1, removed: 1, approvers: ["carol@example.com"], removals: [{ email: "alice@example.com", verified: true }] });
    expect(s.drift).toEqual({ runs: 2, runsWithDrift: 1, runsWithErrors: 0, repairsQueued: 1, repaired: 1 });
    expect(s.audit).toMatchObject({ ok: true, problems: [], headSeq: s.audit.rows });
    expect(s.audit.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("marks emergency grants and the extension, and records when each removal was verified", () => {
    const row = (key: string) => report.grants.find((g) => g.id === seeded.grants[key]!.id)!;
    expect([row("g6").emergency, row("g7").emergency, row("g1").emergency]).toEqual([true, true, false]);
    expect(row("g5").extends).toBe(seeded.grants.g4!.id);
    expect(row("g1")).toMatchObject({ approvers: ["carol@example.com"], removalVerifiedAt: seeded.grants.g1!.expiresAt! + 300, prUrl: "https://github.com/acme/grants/pull/2" });
    expect(row("g5").removalVerifiedAt).toBeNull();
  });

  it("compares directory, grantbot and the live targets per group, and says which target it could not read", () => {
    expect(disagreements(report)).toEqual(EXPECTED.disagreements);
    const dbGroup = report.groups.find((g) => g.group === "prod-db-readonly")!;
    expect(dbGroup.members.map((m) => [m.email, m.directory, m.reasons.map((r) => r.kind), m.inTarget])).toEqual([
      ["dana@example.com", "active", ["standing"], true],
      ["erin@example.com", "active", ["grant"], true],
      ["hank@example.com", "inactive", ["none"], true],
      ["mallory@example.com", "active", ["none"], true],
    ]);
    expect(dbGroup.members.find((m) => m.email === "hank@example.com")!.action).toBe("offboarding case CASE-HANK is removing the access");
    const admin = report.groups.find((g) => g.group === "prod-admin")!;
    expect(admin.members[0]).toMatchObject({ email: "ivan@example.com", inTarget: false, problem: "justified but missing from the target", action: expect.stringMatching(/adds it \(enforce: true\)/) });
    const billing = report.groups.find((g) => g.group === "billing-ro")!;
    expect(billing.readError).toMatch(/okta/);
    expect(report.notes.join("\n")).toMatch(/1 managed group\(s\) could not be read/);
  });

  it("includes last year's grant when the period reaches back to it", async () => {
    const period = parsePeriod({ from: new Date(NOW - 365 * 86_400_000).toISOString().slice(0, 10) }, NOW);
    if (!period.ok) throw new Error(period.error);
    const wide = await gatherEvidence(seeded.deps, { period: period.period });
    expect(wide.grants.map((g) => g.id)).toContain(seeded.grants.old!.id);
    expect(wide.summary.expiryLag.n).toBe(EXPECTED.expiries + 1);
  });

  it("escapes user text, redacts secrets and carries none of the targets' tokens", () => {
    expect(html).not.toContain(HOSTILE_REASON.slice(0, 20));
    expect(html).not.toMatch(/<img|<script>alert|onerror="/);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; INC-9 &lt;/td&gt;&lt;/table&gt;&lt;script&gt;alert(2)&lt;/script&gt; token [redacted]");
    expect(html).not.toMatch(SECRETS);
    expect(JSON.stringify(report)).not.toMatch(SECRETS);
    expect(report.grants.find((g) => g.id === seeded.grants.g2!.id)!.reason).toMatch(/token \[redacted\]$/);
  });

  it("is one self-contained file: nothing loads from elsewhere and only its own inline script may run", () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = `sha256-${createHash("sha256").update(scripts[0]!).digest("base64")}`;
    expect(html).toContain(`script-src '${hash}'`);
    expect(html).toMatch(/default-src 'none'/);
    expect(html).not.toMatch(/<link\b|<iframe|@import|\bsrc="|url\((?!#)/);
    expect([...html.matchAll(/<svg\b/g)]).toHaveLength(4);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 2 ** 20);
  });
});

function captureIO(env: Record<string, string>, cwd: string): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, env, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
}

describe("grantbot evidence", () => {
  let github: FakeGitHub;
  let env: Record<string, string>;
  beforeAll(async () => {
    github = await FakeGitHub.start({ repository: "acme/grants" });
    github.seed({ "grants/catalog.yaml": CATALOG, "grants/people.yaml": PEOPLE });
    const config = join(seeded.dataDir, "grantbot.yaml");
    writeFileSync(config, `scim:\n  targets:\n    - name: aws\n      url: ${seeded.scim.url}\n      token: \${AWS_SCIM_TOKEN}\n      profile: generic\n    - name: okta\n      url: http://127.0.0.1:9/scim/v2\n      token: unused-token-for-okta\n      profile: generic\n      timeout: 2s\n`);
    env = {
      SLACK_BOT_TOKEN: "xoxb-evidence-test-token",
      SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
      GITHUB_REPOSITORY: "acme/grants",
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghp_evidenceFakeGithubToken0123456789ab",
      GRANTBOT_CONFIG: config,
      GRANTBOT_DATA_DIR: seeded.dataDir,
      GRANTBOT_PUBLIC_URL: "http://grantbot.test",
      AWS_SCIM_TOKEN: seeded.scim.token,
      LOG_LEVEL: "silent",
    };
  });
  afterAll(async () => {
    await github?.close();
  });

  it("writes the HTML report for a period and says what stands out", async () => {
    const io = captureIO(env, seeded.dataDir);
    expect(await main(["evidence", "--from", "2026-01-01", "--to", "2026-12-31"], io)).toBe(0);
    const file = join(seeded.dataDir, "grantbot-evidence-2026-01-01-to-2026-12-31.html");
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("grantbot evidence · acme/grants");
    expect(text).toContain("2026-01-01 00:00:00 – 2026-12-31 23:59:59 UTC");
    expect(text).not.toMatch(SECRETS);
    expect(io.err.join("")).toMatch(/^wrote .*grantbot-evidence-2026-01-01-to-2026-12-31\.html \(0\.\d\d MB\); 11 grants; 1 late expiries; 3 disagreement\(s\) now, 1 group\(s\) unreadable; audit log intact \(\d+ rows\)\n$/);
  });

  it("prints the same facts as JSON with --json", async () => {
    const io = captureIO(env, seeded.dataDir);
    expect(await main(["evidence", "--json", "--from=2026-04-01", "--to=2026-06-30"], io)).toBe(0);
    const json = JSON.parse(io.out.join("")) as EvidenceReport;
    expect(json.version).toBe(1);
    expect(json.period).toEqual({ from: Date.parse("2026-04-01T00:00:00Z"), to: Date.parse("2026-07-01T00:00:00Z") - 1 });
    expect(disagreements(json)).toEqual(EXPECTED.disagreements);
    expect(io.out.join("")).not.toMatch(SECRETS);
  });

  it("refuses a data directory without a database rather than report on nothing", async () => {
    const io = captureIO({ ...env, GRANTBOT_DATA_DIR: join(seeded.dataDir, "elsewhere") }, seeded.dataDir);
    expect(await main(["evidence", "--json"], io)).toBe(1);
    expect(io.err.join("")).toMatch(/^grantbot evidence: no database at .*elsewhere\/grantbot\.db \(set GRANTBOT_DATA_DIR/);
    expect(existsSync(join(seeded.dataDir, "elsewhere"))).toBe(false);
  });

  it.each([
    [["--from", "last-week"], /--from: expected a date such as 2026-01-01/],
    [["--from", "2026-02-30"], /--from "2026-02-30": expected a date such as 2026-03-31/],
    [["--from", "2026-05-01", "--to", "2026-04-01"], /--from is after --to/],
    [["--since", "2026-01-01"], /unknown option --since/],
  ])("refuses %j with exit 1 and a reason", async (args, message) => {
    const io = captureIO(env, seeded.dataDir);
    expect(await main(["evidence", ...args], io)).toBe(1);
    expect(io.err.join("")).toMatch(message);
  });
});
