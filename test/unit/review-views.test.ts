import { describe, expect, it } from "vitest";
import { renderNote } from "../../src/adapters/slack/views/notes.ts";
import { recentText, usageText } from "../../src/adapters/slack/views/grant-list.ts";
import { newGrant } from "../../src/domain/grant.ts";
import { renderRemovalBody, renderReviewBody, type MemberEvidence } from "../../src/domain/review-pr-body.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");

describe("use of a grant in Slack", () => {
  it.each([
    [undefined, ""],
    [{ hasCredential: false, uses: 0, firstUse: null, lastUse: null }, "Use not tracked (no credential)"],
    [{ hasCredential: true, uses: 0, firstUse: null, lastUse: null }, "Not used yet"],
    [{ hasCredential: true, uses: 1, firstUse: NOW - 60_000, lastUse: NOW - 60_000 }, "Used 1 time · last 1m ago"],
    [{ hasCredential: true, uses: 12, firstUse: NOW - 7_200_000, lastUse: NOW - 185_000 }, "Used 12 times · last 3m 5s ago"],
  ])("%j -> %s", (usage, text) => {
    expect(usageText(usage, NOW)).toBe(text);
  });

  it("says an ended grant with a credential was never used, and says nothing for one without", () => {
    const g = { ...newGrant({ id: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", resource: "db", subject: "a@example.com", requester: "a@example.com", requesterSlackId: null, durationMs: 3_600_000, reason: "r", requestedAt: NOW - 7_200_000, fileContent: "" }), state: "expired" as const, activatedAt: NOW - 7_000_000, endedAt: NOW - 3_400_000 };
    expect(recentText(g, { hasCredential: true, uses: 0, firstUse: null, lastUse: null })).toMatch(/· never used$/);
    expect(recentText(g, { hasCredential: true, uses: 4, firstUse: NOW, lastUse: NOW })).toMatch(/· used 4 times$/);
    expect(recentText(g, { hasCredential: false, uses: 0, firstUse: null, lastUse: null })).not.toMatch(/used/);
  });
});

describe("access review notes", () => {
  const note = { kind: "access_review" as const, resource: "db", prUrl: "https://github.test/acme/grants/pull/7", members: ["dana@example.com", "erin@example.com"], deadline: "2026-12-01", onMissed: "revoke" as const };
  it.each([
    ["opened", /Access review of db\*: 2 standing member\(s\) to certify by \*2026-12-01\* — dana@example.com, erin@example.com.*members not certified by then lose their access/],
    ["reminder", /Reminder: the \*access review of db\* \(dana@example.com, erin@example.com\) is still open by \*2026-12-01\*/],
    ["overdue", /is overdue for dana@example.com, erin@example.com/],
  ] as const)("%s", (event, text) => {
    expect(renderNote({ ...note, event }, NOW).text).toMatch(text);
  });

  it("tells a removed member why, and how to ask again", () => {
    expect(renderNote({ kind: "standing_removed", resource: "db", cause: "missed", prUrl: null }, NOW).text).toBe(
      "🔒 Your standing access to *db* was removed: its access review was not certified before the deadline. Removal verified in the target. Need it again? Ask with `/access db`.",
    );
  });
});

describe("access review PR bodies", () => {
  const member: MemberEvidence = {
    email: "dana@example.com",
    status: "overdue",
    effective: "2026-11-01",
    proposed: "2027-02-18",
    directory: { known: true, active: false, removed: false, manager: "erin@example.com", groups: ["dba"] },
    eligible: false,
    standingSince: Date.parse("2026-01-05T00:00:00Z"),
    lastCertified: { at: Date.parse("2026-08-01T00:00:00Z"), pr: 3 },
    targetUse: "unknown: SCIM target aws reports no sign-in or last-use data",
    grants: { grants: 2, withCredential: 2, used: 1, neverUsed: 1, uses: 5, lastUse: Date.parse("2026-11-10T09:30:00Z") },
  };

  it("lists each member's evidence and the rules of the review", () => {
    const body = renderReviewBody({ reviewId: "01REVIEW", resource: "db", description: "Replica", approvers: "@acme/dba, @carol-gh", min: 1, policy: { every: "90d", notice: "14d", on_missed: "revoke" }, members: [member], deadline: "2026-11-01", now: NOW });
    expect(body).toContain("#### dana@example.com — **overdue** since 2026-11-01");
    expect(body).toContain("- **Directory:** **inactive**; manager erin@example.com; groups dba");
    expect(body).toContain("- **Still eligible:** **no — not in any eligible group any more**");
    expect(body).toContain("- **Standing:** at least since 2026-01-05 (first seen by grantbot); last certified 2026-08-01 (#3)");
    expect(body).toContain("- **Grants of this resource:** 2 in the last 90 days: 1 used (5 credential checks, last 2026-11-10 09:30 UTC), 1 never used");
    expect(body).toContain("a member's own approval never counts");
    expect(body).toContain("overdue members are **removed**");
    expect(body).toContain("<!-- grantbot:review-id=01REVIEW -->");
  });

  it("escapes what came from outside (no mention, no Markdown)", () => {
    const body = renderReviewBody({ reviewId: "x", resource: "db", description: "@acme/everyone *bold*", approvers: "", min: 2, policy: { every: "90d", notice: "14d", on_missed: "keep" }, members: [{ ...member, directory: { ...member.directory, manager: "@boss" } }], deadline: null, now: NOW });
    expect(body).not.toMatch(/(^|[^\u200b\\])@acme\/everyone/);
    expect(body).toContain("\\*bold\\*");
    expect(body).toContain("manager @\u200bboss");
  });

  it("explains a removal PR", () => {
    expect(renderRemovalBody({ resource: "db", cause: "missed", emails: ["dana@example.com"], deadline: "2026-11-01", reviewId: "r" })).toContain("was due by 2026-11-01 was not certified in time, and `db` says `on_missed: revoke`");
  });
});
