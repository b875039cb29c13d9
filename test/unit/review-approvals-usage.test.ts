import { describe, expect, it } from "vitest";
import { catalogSchema, peopleSchema } from "../../src/domain/grant-files.ts";
import { evaluateReviewApprovals } from "../../src/domain/review-approvals.ts";
import { describeGrantUse, usageHint, usageHistory, type UsageGrant } from "../../src/domain/usage.ts";

const HEAD = "a".repeat(40);
const resource = catalogSchema.parse({
  resources: { db: { description: "d", scim: { target: "aws", groups: ["g"] }, duration: { default: "1h", max: "4h" }, approvers: { users: ["carol-gh", "dana-gh", "erin-gh"], min: 1 } } },
}).resources.db!;
const people = peopleSchema.parse({
  people: [
    { email: "carol@example.com", github: "carol-gh" },
    { email: "dana@example.com", github: "dana-gh" },
    { email: "erin@example.com", github: "erin-gh" },
  ],
});
const approve = (login: string, submittedAt = 1) => ({ login, state: "APPROVED", commitId: HEAD, submittedAt });
const evaluate = (reviews: ReturnType<typeof approve>[], listed: string[]) =>
  evaluateReviewApprovals({ resourceId: "db", resource, reviews, headSha: HEAD, people, teamMembers: new Map(), listed, mergedAt: 10 });

describe("who certifies an access review", () => {
  it("never counts the approval of a member the review lists", () => {
    const result = evaluate([approve("dana-gh")], ["dana@example.com", "frank@example.com"]);
    expect(result.ok).toBe(false);
    expect(result.ignored).toContainEqual({ login: "dana-gh", why: "is listed in this review" });
    expect(result.message).toContain("dana-gh (is listed in this review)");
  });

  it("counts an approver who is not listed", () => {
    const result = evaluate([approve("dana-gh"), approve("carol-gh")], ["dana@example.com"]);
    expect(result.ok).toBe(true);
    expect(result.approvers.map((a) => a.login)).toEqual(["carol-gh"]);
  });

  it("keeps the grant PR rules: an approval after the merge does not count", () => {
    expect(evaluate([approve("carol-gh", 11)], ["dana@example.com"]).ok).toBe(false);
  });
});

describe("usage history for reviewers", () => {
  const NOW = Date.parse("2026-11-20T12:00:00Z");
  const DAY = 86_400_000;
  const grants: UsageGrant[] = [
    { id: "g1", activatedAt: NOW - 2 * DAY, endedAt: NOW - DAY, hasCredential: true },
    { id: "g2", activatedAt: NOW - 3 * DAY, endedAt: NOW - 2 * DAY, hasCredential: true },
    { id: "g3", activatedAt: NOW - 4 * DAY, endedAt: NOW - 3 * DAY, hasCredential: true },
    { id: "g4", activatedAt: NOW - 1000, endedAt: null, hasCredential: true }, // live, not used yet
    { id: "old", activatedAt: NOW - 40 * DAY, endedAt: NOW - 39 * DAY, hasCredential: true },
  ];
  const usage = new Map([["g1", { grantId: "g1", firstUse: NOW - 2 * DAY, lastUse: NOW - DAY - 5, uses: 7 }]]);

  it("counts grants in the window, the ones never used (ended only) and the uses", () => {
    expect(usageHistory(grants, usage, NOW)).toEqual({ grants: 4, withCredential: 4, used: 1, neverUsed: 2, uses: 7, lastUse: NOW - DAY - 5 });
  });

  it("says it as the PR hint, and nothing when there is no history", () => {
    expect(usageHint("alice@example.com", "db", usageHistory(grants, usage, NOW))).toBe("alice@example.com has had 4 grants of db in 30 days, 2 of them never used; 7 credential checks in all");
    expect(usageHint("alice@example.com", "db", usageHistory([], usage, NOW))).toBeNull();
  });

  it("never guesses the use of grants without a credential", () => {
    const h = usageHistory([{ id: "x", activatedAt: NOW - DAY, endedAt: NOW, hasCredential: false }], new Map(), NOW);
    expect(usageHint("a@example.com", "db", h)).toContain("cannot tell whether they were used");
    expect(describeGrantUse(null, false)).toContain("use unknown");
    expect(describeGrantUse(null, true)).toBe("not used yet (its credential was never checked)");
  });
});
