import { describe, expect, it } from "vitest";
import { catalogSchema } from "../../src/domain/grant-files.ts";
import { holdKey, isStandingDesired, latestAllowedReviewAfter, memberSchedules, proposedReviewAfter } from "../../src/domain/review-schedule.ts";

const resource = (review: Record<string, unknown> | undefined, members: unknown[]) =>
  catalogSchema.parse({
    resources: {
      db: {
        description: "d",
        scim: { target: "aws", groups: ["g"] },
        duration: { default: "1h", max: "4h" },
        approvers: { users: ["carol-gh"] },
        standing_members: members,
        ...(review ? { review } : {}),
      },
    },
  }).resources.db!;

const at = (iso: string) => Date.parse(iso);
const POLICY = { every: "90d", notice: "14d", on_missed: "revoke" } as const;

describe("standing member review schedule", () => {
  it.each([
    ["2026-11-01T00:00:00Z", "current"],
    ["2026-11-17T00:00:00Z", "due"], // notice: 14 days before 2026-12-01
    ["2026-11-30T23:59:59Z", "due"],
    ["2026-12-01T00:00:00Z", "overdue"], // the deadline is the start of review_after
  ])("at %s a member with review_after 2026-12-01 is %s", (now, status) => {
    const r = resource(POLICY, [{ email: "dana@example.com", review_after: "2026-12-01" }]);
    expect(memberSchedules("db", r, at(now))[0]!.status).toBe(status);
  });

  it("a plain email in a reviewed resource is due at once but never overdue", () => {
    const r = resource(POLICY, ["dana@example.com"]);
    const [m] = memberSchedules("db", r, at("2030-01-01T00:00:00Z"));
    expect(m).toMatchObject({ status: "due", deadline: null, effective: null });
    expect(isStandingDesired("db", r, "dana@example.com", at("2030-01-01T00:00:00Z"))).toBe(true);
  });

  it("a resource without a review policy has no schedule", () => {
    expect(memberSchedules("db", resource(undefined, ["dana@example.com"]), at("2030-01-01T00:00:00Z"))).toEqual([]);
  });

  it("overdue members stop being desired only with on_missed: revoke", () => {
    const members = [{ email: "dana@example.com", review_after: "2026-12-01" }];
    const late = at("2026-12-02T00:00:00Z");
    expect(isStandingDesired("db", resource(POLICY, members), "dana@example.com", late)).toBe(false);
    expect(isStandingDesired("db", resource({ ...POLICY, on_missed: "keep" }, members), "dana@example.com", late)).toBe(true);
    expect(isStandingDesired("db", resource(POLICY, members), "dana@example.com", at("2026-11-30T00:00:00Z"))).toBe(true);
  });

  it("a held date (from a rejected review) applies when it is earlier than the catalog's", () => {
    const r = resource(POLICY, [{ email: "dana@example.com", review_after: "2027-03-01" }]);
    const holds = new Map([[holdKey("db", "dana@example.com"), "2026-12-01"]]);
    expect(memberSchedules("db", r, at("2026-12-05T00:00:00Z"), holds)[0]).toMatchObject({ effective: "2026-12-01", status: "overdue" });
    expect(memberSchedules("db", r, at("2026-12-05T00:00:00Z"))[0]!.status).toBe("current");
  });

  it.each([
    ["2026-12-01", "2026-11-20T10:00:00Z", "2027-03-01", "2027-03-01"],
    [null, "2026-11-20T10:00:00Z", "2027-02-18", "2027-02-18"],
    // A late review: the old date plus a period is already near, so a period from today.
    ["2026-08-01", "2026-11-20T10:00:00Z", "2027-02-18", "2027-02-18"],
    ["2026-10-01", "2026-11-20T10:00:00Z", "2026-12-30", "2027-02-18"],
  ])("from %s at %s: proposed %s, at most %s", (effective, now, proposed, latest) => {
    const policy = { every: "90d", notice: "14d", on_missed: "keep" as const };
    expect(proposedReviewAfter(effective, policy, at(now))).toBe(proposed);
    expect(latestAllowedReviewAfter(effective, policy, at(now))).toBe(latest);
  });
});

describe("catalog schema for reviews", () => {
  const parse = (r: Record<string, unknown>) =>
    catalogSchema.safeParse({ resources: { db: { description: "d", scim: { target: "aws", groups: ["g"] }, duration: { default: "1h", max: "4h" }, approvers: { users: ["carol-gh"] }, ...r } } });
  const messages = (r: Record<string, unknown>) => {
    const result = parse(r);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it("keeps plain emails valid and accepts { email, review_after } with a review policy", () => {
    expect(parse({ standing_members: ["dana@example.com"] }).success).toBe(true);
    expect(parse({ standing_members: ["dana@example.com", { email: "erin@example.com", review_after: "2027-03-01" }], review: POLICY }).success).toBe(true);
  });

  it("defaults on_missed to keep (auto-removal is opt-in)", () => {
    const result = parse({ review: { every: "90d", notice: "14d" } });
    expect(result.success && result.data.resources.db!.review?.on_missed).toBe("keep");
  });

  it.each([
    [{ standing_members: [{ email: "dana@example.com", review_after: "2027-03-01" }] }, "review_after needs a review policy"],
    [{ standing_members: [{ email: "dana@example.com", review_after: "2027-02-30" }], review: POLICY }, "not a calendar date"],
    [{ standing_members: [{ email: "dana@example.com", review_after: "1 March" }], review: POLICY }, "a date such as 2027-03-01"],
    [{ standing_members: ["dana@example.com", { email: "dana@example.com", review_after: "2027-03-01" }], review: POLICY }, "listed twice"],
    [{ review: { every: "12h", notice: "1h" } }, "whole number of days"],
    [{ review: { every: "14d", notice: "14d" } }, "must be shorter than every"],
    [{ review: { ...POLICY, on_missed: "delete" } }, "Invalid option"],
  ])("refuses %j", (r, message) => {
    expect(messages(r).join("; ")).toContain(message);
  });
});
