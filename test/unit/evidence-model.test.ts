import { describe, expect, it } from "vitest";
import { AuditDigest } from "../../src/domain/evidence-audit.ts";
import { breakglassRows, reviewRows } from "../../src/domain/evidence-activity.ts";
import { expiryLag, grantFigures, grantsInPeriod } from "../../src/domain/evidence-grants.ts";
import { compareGroup, type GroupFacts } from "../../src/domain/evidence-groups.ts";
import { parsePeriod } from "../../src/domain/evidence-period.ts";
import { redactReport, redactSecrets } from "../../src/domain/evidence-redact.ts";
import { lagBuckets, percentile, statOf } from "../../src/domain/evidence-stats.ts";
import type { AuditFact, DirectoryStatus, Period } from "../../src/domain/evidence-types.ts";
import { newGrant, type Grant } from "../../src/domain/grant.ts";
import { esc, link, table } from "../../src/adapters/report/html-kit.ts";
import { scopeSvgIds } from "../../src/adapters/report/render-charts.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-06-30T12:00:00Z");
const PERIOD: Period = { from: NOW - 90 * DAY, to: NOW };

function grant(over: Partial<Grant> & { id: string }): Grant {
  return newGrant({ resource: "db", subject: "a@x.com", requester: "a@x.com", requesterSlackId: null, durationMs: 3_600_000, reason: "r", requestedAt: NOW - DAY, fileContent: "", ...over });
}

/** An expired grant with one group, its removal verified `lagMs` after its expiry (null: not yet). */
function expired(id: string, expiresAt: number, lagMs: number | null): { grant: Grant; rows: AuditFact[] } {
  const g = grant({ id, state: "expired", requestedAt: expiresAt - 2 * 3_600_000, approvedAt: expiresAt - 3_700_000, activatedAt: expiresAt - 3_600_000, expiresAt, endedAt: expiresAt + 2, endReason: "expired", access: { target: "aws", groups: ["db"] } });
  const rows: AuditFact[] = lagMs === null ? [] : [{ seq: 1, at: expiresAt + lagMs, actor: "grantbot", action: "scim.member_removed", grantId: id, data: { verified: true }, hash: "h" }];
  return { grant: g, rows };
}

function digestOf(grants: Grant[], rows: AuditFact[], period = PERIOD): AuditDigest {
  const d = new AuditDigest(period, new Set(grants.map((g) => g.id)));
  rows.forEach((r, i) => d.add({ ...r, seq: i + 1 }));
  return d;
}

describe("evidence numbers", () => {
  it.each([
    [[], 50, null],
    [[7], 99, 7],
    [[1, 2], 50, 1],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 100 }, (_, i) => i + 1), 50, 50],
    [Array.from({ length: 1000 }, (_, i) => i + 1), 99, 990],
  ])("nearest-rank percentile of %j at p%i is %j", (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it("summarises durations with n, p50, p99 and max, ignoring values that are not numbers", () => {
    expect(statOf([300, 100, 200, Number.NaN])).toEqual({ n: 3, p50: 200, p99: 300, max: 300 });
    expect(statOf([])).toEqual({ n: 0, p50: null, p99: null, max: null });
  });

  it("puts expiry lags in fixed buckets, the 1 s bar between 'within' and 'late'", () => {
    const buckets = lagBuckets([0, 99, 100, 999, 1_000, 59_999, 60_000, 3_600_000]);
    expect(buckets.map((b) => [b.label, b.count, b.late])).toEqual([
      ["< 100 ms", 2, false],
      ["100 ms–250 ms", 1, false],
      ["250 ms–500 ms", 0, false],
      ["500 ms–1 s", 1, false],
      ["1 s–2 s", 1, true],
      ["2 s–5 s", 0, true],
      ["5 s–1 min", 1, true],
      ["≥ 1 min", 2, true],
    ]);
  });
});

describe("the audit period", () => {
  it("defaults to the 90 days up to now", () => {
    expect(parsePeriod({}, NOW)).toEqual({ ok: true, period: { from: NOW - 90 * DAY, to: NOW } });
  });

  it("reads dates as whole UTC days and date-times as given", () => {
    expect(parsePeriod({ from: "2026-01-01", to: "2026-03-31" }, NOW)).toEqual({ ok: true, period: { from: Date.parse("2026-01-01T00:00:00Z"), to: Date.parse("2026-04-01T00:00:00Z") - 1 } });
    expect(parsePeriod({ from: "2026-01-01T09:00:00+02:00", to: "2026-01-02T00:00:00Z" }, NOW)).toEqual({ ok: true, period: { from: Date.parse("2026-01-01T07:00:00Z"), to: Date.parse("2026-01-02T00:00:00Z") } });
    expect(parsePeriod({ to: "2026-03-31" }, NOW)).toMatchObject({ ok: true, period: { from: Date.parse("2026-04-01T00:00:00Z") - 1 - 90 * DAY } });
  });

  it.each([
    [{ from: "2026-02-30" }, /--from "2026-02-30": expected a date such as 2026-03-31/],
    [{ to: "yesterday" }, /--to "yesterday": expected a date/],
    [{ from: "2026-05-01", to: "2026-04-01" }, /--from is after --to/],
  ])("refuses %j with a sentence naming the flag", (input, message) => {
    const result = parsePeriod(input, NOW);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toMatch(message);
  });
});

describe("grants of the period and their timings", () => {
  it("lists grants whose life overlaps the period, pending and live ones included", () => {
    const before = grant({ id: "BEFORE", state: "expired", requestedAt: NOW - 100 * DAY, endedAt: NOW - 95 * DAY });
    const straddling = grant({ id: "STRADDLES", state: "expired", requestedAt: NOW - 91 * DAY, endedAt: NOW - 89 * DAY });
    const after = grant({ id: "AFTER", state: "pr_open", requestedAt: NOW + DAY });
    const live = grant({ id: "LIVE", state: "active", requestedAt: NOW - 200 * DAY });
    const declinedLongAgo = grant({ id: "DECLINED", state: "declined", requestedAt: NOW - 120 * DAY, updatedAt: NOW - 119 * DAY });
    expect(grantsInPeriod([before, straddling, after, live, declinedLongAgo], PERIOD).map((g) => g.id)).toEqual(["STRADDLES", "LIVE"]);
  });

  it("measures expiry lag to the verified removal, and counts an unverified removal as late up to now", () => {
    const onTime = expired("ONTIME", NOW - DAY, 400);
    const pending = expired("PENDING", NOW - 10_000, null);
    const digest = digestOf([onTime.grant, pending.grant], [...onTime.rows]);
    expect(expiryLag(onTime.grant, digest.trails.get("ONTIME"), NOW)).toMatchObject({ lagMs: 400, verified: true, removalVerifiedAt: NOW - DAY + 400 });
    expect(expiryLag(pending.grant, digest.trails.get("PENDING"), NOW)).toMatchObject({ lagMs: 10_000, verified: false, removalVerifiedAt: null });
  });

  it("lists every expiry later than 1 s (exactly 1 s is on time) and leaves expiries outside the period out", () => {
    const cases = [expired("A", NOW - DAY, 1_000), expired("B", NOW - 2 * DAY, 1_001), expired("C", NOW - 3 * DAY, 30), expired("OLD", NOW - 95 * DAY, 9_000)];
    const grants = cases.map((c) => c.grant);
    const digest = digestOf(grants, cases.flatMap((c) => c.rows));
    const figures = grantFigures(grants, grantsInPeriod(grants, PERIOD), digest.trails, PERIOD, NOW);
    expect(figures.lateExpiries.map((l) => [l.grantId, l.lagMs])).toEqual([["B", 1_001]]);
    expect(figures.expiryLag).toEqual({ n: 3, p50: 1_000, p99: 1_001, max: 1_001 });
    expect(figures.approved).toBe(3);
  });
});

describe("secrets in the report", () => {
  it.each([
    ["jwt eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl here", "jwt [redacted] here"],
    ["slack xoxb-123456789012-abcdefghijkl", "slack [redacted]"],
    ["gh ghp_abcdefghijklmnopqrstuvwxyz012345", "gh [redacted]"],
    ["-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- after", "[redacted] after"],
    ["Authorization: Bearer abc123def456ghi789", "Authorization: [redacted]"],
    ["scim token=s3cr3t-value-123, ok", "scim token=[redacted], ok"],
  ])("redacts %j", (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it("leaves ordinary words alone", () => {
    for (const text of ["Bearer investigation of the outage", "INC-1234 investigate replica lag", "alice@example.com", "01JD2S3K7Q8R9T0V1W2X3Y4Z5A"]) expect(redactSecrets(text)).toBe(text);
  });

  it("redacts every string of a nested report, keys included", () => {
    expect(redactReport({ a: [{ reason: "xoxp-123456789012-abc" }], ["ghp_abcdefghijklmnopqrstuvwxyz012345"]: 1, n: 3 })).toEqual({ a: [{ reason: "[redacted]" }], "[redacted]": 1, n: 3 });
  });
});

describe("the three-way comparison of one group", () => {
  const base: GroupFacts = { target: "aws", group: "db", resources: ["db"], enforce: false, desired: new Set(), tolerated: new Set(), standing: new Set(), grants: [], actual: [], readError: null };
  const people = (statuses: Record<string, DirectoryStatus>, cases: Record<string, string> = {}) => ({ status: (e: string) => statuses[e] ?? "active", openCase: (e: string) => cases[e] ?? null });
  const row = (facts: Partial<GroupFacts>, statuses: Record<string, DirectoryStatus> = {}, cases: Record<string, string> = {}) => compareGroup({ ...base, ...facts }, people(statuses, cases)).members;

  it.each([
    ["agree on a granted member", { desired: new Set(["a@x.com"]), grants: [{ grantId: "G1", subject: "a@x.com", expiresAt: NOW, emergency: false }], actual: ["a@x.com"] }, {}, null, null],
    ["a member in flight is no disagreement", { tolerated: new Set(["a@x.com"]), actual: [] }, {}, null, null],
    ["a justified member missing, enforce off", { desired: new Set(["a@x.com"]), standing: new Set(["a@x.com"]) }, {}, "justified but missing from the target", /reported to operators/],
    ["a justified member missing, enforce on", { desired: new Set(["a@x.com"]), standing: new Set(["a@x.com"]), enforce: true }, {}, "justified but missing from the target", /reconciliation adds it \(enforce: true\)/],
    ["an unjustified member", { actual: ["A@x.com"] }, {}, "in the target without a grant or standing membership", /reported to operators/],
    ["a leaver still holding a grant", { desired: new Set(["a@x.com"]), grants: [{ grantId: "G1", subject: "a@x.com", expiresAt: NOW, emergency: false }], actual: ["a@x.com"] }, { "a@x.com": "inactive" as const }, "inactive in the directory but still a member", /offboarding, which revokes G1/],
    ["a deleted standing member", { desired: new Set(["a@x.com"]), standing: new Set(["a@x.com"]), actual: ["a@x.com"] }, { "a@x.com": "deleted" as const }, "deleted in the directory but still a member", /remove them from standing_members/],
    ["a listed standing member reconcile no longer counts", { listedStanding: new Set(["a@x.com"]), actual: ["a@x.com"] }, {}, "a listed standing member no longer counted (overdue on a review that revokes)", /access review's removal/],
    ["a member the directory never saw", { tolerated: new Set(["a@x.com"]), actual: ["a@x.com"] }, { "a@x.com": "not in directory" as const }, "a member the directory does not know", /check the directory/],
  ])("%s", (_name, facts, statuses, problem, action) => {
    const [member] = row(facts, statuses);
    expect(member!.problem).toBe(problem);
    if (action) expect(member!.action).toMatch(action);
    else expect(member!.action).toBeNull();
  });

  it("names an open offboarding case as what removes a leaver's access", () => {
    const [member] = row({ actual: ["a@x.com"] }, { "a@x.com": "inactive" }, { "a@x.com": "CASE-1" });
    expect(member!.action).toBe("offboarding case CASE-1 is removing the access");
  });

  it("says the live membership is unknown when the target cannot be read, and names no disagreement", () => {
    const out = compareGroup({ ...base, desired: new Set(["a@x.com"]), actual: null, readError: "network error" }, people({}));
    expect(out.readError).toBe("network error");
    expect(out.members).toEqual([{ email: "a@x.com", directory: "active", reasons: [{ kind: "none" }], inTarget: null, problem: null, action: null }]);
  });
});

describe("break-glass uses and access reviews from the audit log", () => {
  const row = (at: number, action: string, data: Record<string, unknown>, grantId: string | null = null) => ({ at, action, actor: "grantbot", grantId, data });
  const name = (a: { login: string; email: string | null }) => a.email ?? `github:${a.login}`;
  const activated = (id: string, at: number) => row(at, "breakglass.activated", { resource: "db", subject: "A@x.com", reason: "fire", activatedAt: new Date(at).toISOString(), reviewDeadline: new Date(at + DAY).toISOString(), pr: 7, url: "https://github.com/o/r/pull/7" }, id);

  it.each([
    ["reviewed in time", [row(NOW - 5 * DAY + 3_600_000, "breakglass.reviewed", { approvers: [{ login: "c", email: "c@x.com" }], withinDeadline: true })]],
    ["reviewed late", [row(NOW - 3 * DAY, "breakglass.reviewed", { approvers: [], withinDeadline: false })]],
    ["revoked unreviewed", [row(NOW - 5 * DAY + 60_000, "breakglass.rejected_pr", { pr: 7 })]],
    ["merged without review", [row(NOW - 5 * DAY + 60_000, "breakglass.unreviewed_merge", { pr: 7 })]],
    ["overdue", []],
  ])("%s", (status, follow) => {
    const rows = breakglassRows([activated("G1", NOW - 5 * DAY), ...follow.map((r) => ({ ...r, grantId: "G1" }))], () => null, PERIOD, NOW, name);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ grantId: "G1", subject: "a@x.com", pr: "https://github.com/o/r/pull/7", status });
  });

  it("is awaiting review before its deadline, and leaves uses outside the period out", () => {
    expect(breakglassRows([activated("G1", NOW - 3_600_000)], () => null, PERIOD, NOW, name)[0]!.status).toBe("awaiting review");
    expect(breakglassRows([activated("OLD", NOW - 100 * DAY)], () => null, PERIOD, NOW, name)).toEqual([]);
  });

  it("follows a review from opened to certified by its id, with the removals it caused, and an overdue one still open", () => {
    const rows = reviewRows(
      [
        row(NOW - 20 * DAY, "review.opened", { resource: "db", members: ["a@x.com", "b@x.com"], pr: 90, reviewId: "R1" }),
        row(NOW - 19 * DAY, "review.opened", { resource: "admin", members: ["c@x.com"], pr: 91, reviewId: "R2" }),
        row(NOW - 18 * DAY, "review.certified", { resource: "db", kept: ["a@x.com"], removed: ["b@x.com"], approvers: ["carol-gh"], pr: 90, reviewId: "R1" }),
        row(NOW - 18 * DAY, "review.member_removed", { resource: "db", email: "b@x.com", verified: true, reviewId: "R1" }),
        row(NOW - DAY, "review.overdue", { resource: "admin", members: ["c@x.com"], on_missed: "revoke" }),
        row(NOW - DAY, "review.overdue", { resource: "ops", members: ["d@x.com"], on_missed: "keep" }),
      ],
      PERIOD,
      name,
    );
    expect(rows.map((r) => [r.resource, r.outcome, r.overdue, r.kept, r.removed, r.approvers, r.removals])).toEqual([
      ["db", "certified", false, 1, 1, ["github:carol-gh"], [{ email: "b@x.com", verified: true }]],
      ["admin", "open", true, null, null, [], []],
      ["ops", "missed", true, null, null, [], []],
    ]);
  });
});

describe("the page's HTML helpers", () => {
  it("escapes text and attribute values", () => {
    expect(esc(`<a href="x" onclick='y'>&amp;</a>`)).toBe("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  });

  it("links only http(s) URLs; anything else is shown as text", () => {
    expect(link("https://github.com/o/r/pull/1", "#1")).toBe('<a href="https://github.com/o/r/pull/1">#1</a>');
    expect(link("javascript:alert(1)", "#1")).toBe("javascript:alert(1)");
    expect(link(`https://x.test/"><script>`, "<b>")).toBe('<a href="https://x.test/&quot;&gt;&lt;script&gt;">&lt;b&gt;</a>');
  });

  it("writes plain table rows, numbers with their sort value, and says so when there is none", () => {
    expect(table("t", "things", ["name", "n"], [["<x>", 3]])).toContain('<tr><td>&lt;x&gt;</td><td data-v="3">3</td></tr>');
    expect(table("t", "things", ["name"], [])).toBe('<p class="empty" id="t">None in the period.</p>');
  });

  it("gives each chart's SVG ids a prefix of its own, references included", () => {
    expect(scopeSvgIds('<clipPath id="clip1"></clipPath><g clip-path="url(#clip1)">', "chart-a")).toBe('<clipPath id="chart-a-clip1"></clipPath><g clip-path="url(#chart-a-clip1)">');
  });
});
