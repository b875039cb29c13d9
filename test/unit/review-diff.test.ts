import { describe, expect, it } from "vitest";
import { catalogSchema, type Catalog } from "../../src/domain/grant-files.ts";
import { checkReviewChange, checkReviewFiles, checkSinceOpened, type ListedMember } from "../../src/domain/review-diff.ts";

const NOW = Date.parse("2026-11-20T12:00:00Z");

const base = {
  description: "Read-only replica",
  scim: { target: "aws", groups: ["prod-db-readonly"] },
  duration: { default: "1h", max: "4h" },
  approvers: { teams: [], users: ["carol-gh"], min: 1 },
  review: { every: "90d", notice: "14d", on_missed: "revoke" },
  standing_members: [
    { email: "dana@example.com", review_after: "2026-12-01" },
    { email: "erin@example.com", review_after: "2026-12-01" },
    "frank@example.com",
    { email: "gus@example.com", review_after: "2027-06-01" },
  ],
};
const other = { description: "Warehouse", scim: { target: "snowflake", groups: ["ANALYST"] }, duration: { default: "1h", max: "1d" }, approvers: { users: ["frank-gh"] }, standing_members: ["hal@example.com"] };

type Spec = Record<string, unknown>;
const catalog = (db: Spec = {}, wh: Spec = {}, extra: Record<string, Spec> = {}): Catalog =>
  catalogSchema.parse({ resources: { "prod-db-readonly": { ...base, ...db }, "snowflake-analyst": { ...other, ...wh }, ...extra } });

const LISTED: ListedMember[] = [
  { email: "dana@example.com", effective: "2026-12-01" },
  { email: "erin@example.com", effective: "2026-12-01" },
  { email: "frank@example.com", effective: null },
];
const members = (...entries: unknown[]) => ({ standing_members: entries });
const check = (after: Catalog, before: Catalog = catalog()) => checkReviewChange({ before, after, resource: "prod-db-readonly", listed: LISTED, now: NOW });

describe("what a merged access review may change", () => {
  it.each([
    ["every listed date moved by one period", members({ email: "dana@example.com", review_after: "2027-03-01" }, { email: "erin@example.com", review_after: "2027-03-01" }, { email: "frank@example.com", review_after: "2027-02-18" }, { email: "gus@example.com", review_after: "2027-06-01" })],
    ["a listed member deleted, another kept", members({ email: "dana@example.com", review_after: "2027-03-01" }, "frank@example.com", { email: "gus@example.com", review_after: "2027-06-01" })],
    ["a date moved less than one period", members({ email: "dana@example.com", review_after: "2027-01-15" }, { email: "erin@example.com", review_after: "2026-12-01" }, "frank@example.com", { email: "gus@example.com", review_after: "2027-06-01" })],
    ["everybody deleted, even someone not listed", members()],
    ["nothing changed at all", members(...base.standing_members)],
  ])("accepts: %s", (_what, change) => {
    expect(check(catalog(change)).ok).toBe(true);
  });

  it.each([
    ["someone added", members(...base.standing_members, "ivan@example.com"), "it adds ivan@example.com to the standing members of prod-db-readonly"],
    ["another resource touched", null, "it changes the resource snowflake-analyst"],
    ["another key of this resource", { duration: { default: "1h", max: "8h" } }, "it changes prod-db-readonly.duration"],
    ["the review policy weakened", { review: { every: "365d", notice: "14d", on_missed: "keep" } }, "it changes prod-db-readonly.review"],
    ["approvers changed", { approvers: { users: ["carol-gh", "mallory-gh"], min: 1 } }, "it changes prod-db-readonly.approvers"],
    ["a date moved back", members({ email: "dana@example.com", review_after: "2026-11-01" }, ...base.standing_members.slice(1)), "moves the review date of dana@example.com back"],
    ["a date moved past one period", members({ email: "dana@example.com", review_after: "2027-12-01" }, ...base.standing_members.slice(1)), "past 2027-03-01"],
    ["the date of someone not listed moved", members(...base.standing_members.slice(0, 3), { email: "gus@example.com", review_after: "2027-09-01" }), "gus@example.com, who is not listed"],
  ])("rejects: %s", (_what, change, reason) => {
    const after = change === null ? catalog({}, { description: "Warehouse (changed)" }) : catalog(change);
    const verdict = check(after);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toContain(reason);
  });

  it("rejects a resource added or removed", () => {
    const added = check(catalog({}, {}, { "new-thing": { ...other } }));
    expect(added.ok ? "" : added.reason).toContain("adds the resource new-thing");
    const before = catalog({}, {}, { "new-thing": { ...other } });
    const removed = check(catalog(), before);
    expect(removed.ok ? "" : removed.reason).toContain("removes the resource new-thing");
  });

  it("reports the listed members kept (with their dates) and everyone removed", () => {
    const verdict = check(catalog(members({ email: "dana@example.com", review_after: "2027-03-01" }, "frank@example.com", { email: "gus@example.com", review_after: "2027-06-01" })));
    expect(verdict).toEqual({
      ok: true,
      kept: [
        { email: "dana@example.com", from: "2026-12-01", to: "2027-03-01" },
        { email: "frank@example.com", from: null, to: null },
      ],
      removed: ["erin@example.com"],
    });
  });

  it("lets a late review move an overdue date up to one period from today", () => {
    const late = Date.parse("2027-01-10T09:00:00Z");
    const after = catalog(members({ email: "dana@example.com", review_after: "2027-04-10" }, ...base.standing_members.slice(1)));
    expect(checkReviewChange({ before: catalog(), after, resource: "prod-db-readonly", listed: LISTED, now: late }).ok).toBe(true);
    const tooFar = catalog(members({ email: "dana@example.com", review_after: "2027-04-11" }, ...base.standing_members.slice(1)));
    expect(checkReviewChange({ before: catalog(), after: tooFar, resource: "prod-db-readonly", listed: LISTED, now: late }).ok).toBe(false);
  });
});

describe("the review's resource since its branch started (rebase merges)", () => {
  it("applies the same rules to the resource from the catalog the review opened at, and ignores other resources", () => {
    const atOpen = catalog();
    const after = catalog(members({ email: "dana@example.com", review_after: "2027-03-01" }, ...base.standing_members.slice(1)), { description: "Warehouse (changed on main meanwhile)" });
    expect(checkSinceOpened({ atOpen, after, resource: "prod-db-readonly", listed: LISTED, now: NOW }).ok).toBe(true);
    const approver = catalog({ approvers: { users: ["carol-gh", "frank-gh"], min: 1 } });
    const verdict = checkSinceOpened({ atOpen, after: approver, resource: "prod-db-readonly", listed: LISTED, now: NOW });
    expect(verdict.ok ? "" : verdict.reason).toBe("since the review was opened, it changes prod-db-readonly.approvers; an access review may only move review dates and delete standing members");
    const far = catalog(members(...base.standing_members.slice(0, 3), { email: "gus@example.com", review_after: "2037-01-01" }));
    expect(checkSinceOpened({ atOpen, after: far, resource: "prod-db-readonly", listed: LISTED, now: NOW }).ok).toBe(false);
  });
});

describe("which files an access review may change", () => {
  const catalogFile = { path: "grants/catalog.yaml", status: "modified" };
  it.each([
    ["only the catalog", [catalogFile], [catalogFile], null],
    ["also people.yaml", [catalogFile, { path: "grants/people.yaml", status: "modified" }], [catalogFile], "besides grants/catalog.yaml: grants/people.yaml (modified)"],
    ["a merge commit with a workflow", [catalogFile], [catalogFile, { path: ".github/workflows/ci.yml", status: "added" }], "the merge commit changes files besides"],
    ["nothing at all", [], [], "does not change grants/catalog.yaml"],
    ["the catalog renamed", [{ path: "grants/catalog.yaml", status: "renamed", previousPath: "grants/old.yaml" }], [catalogFile], "besides grants/catalog.yaml"],
  ])("%s", (_what, pr, merge, expected) => {
    const result = checkReviewFiles(pr, merge);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toContain(expected);
  });
});
