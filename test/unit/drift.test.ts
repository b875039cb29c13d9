import { describe, expect, it } from "vitest";
import { compareMembers, driftFingerprint, driftSummary, hasDrift, type DriftEntry } from "../../src/domain/drift.ts";
import { isEligible, sameGroups } from "../../src/domain/eligibility.ts";

const entry = (over: Partial<DriftEntry>): DriftEntry => ({ resource: "db", target: "aws", group: "db-ro", missing: [], unexpected: [], enforced: false, ...over });

describe("drift between live grants and a group", () => {
  it("lists justified people missing from the group and members nothing justifies, case-insensitively and sorted", () => {
    expect(compareMembers(["b@x.com", "A@x.com"], [], ["a@x.com", "z@x.com", "c@x.com"])).toEqual({ missing: ["b@x.com"], unexpected: ["c@x.com", "z@x.com"] });
  });

  it("tolerates people whose change is in flight either way", () => {
    expect(compareMembers(["a@x.com"], ["a@x.com", "z@x.com"], ["z@x.com"])).toEqual({ missing: [], unexpected: [] });
  });

  it("summarises only the groups that drifted and says whether they are repaired", () => {
    const entries = [entry({ missing: ["a@x.com"] }), entry({ resource: "admin", group: "admins", unexpected: ["z@x.com"], enforced: true }), entry({ resource: "ok" })];
    expect(hasDrift(entries)).toBe(true);
    expect(driftSummary(entries, true).split("\n")).toEqual([
      '• db: "db-ro" in aws: missing a@x.com — report only',
      '• admin: "admins" in aws: unexpected z@x.com — repairing (enforce)',
    ]);
    expect(hasDrift([entry({})])).toBe(false);
  });

  it("fingerprints the same drift the same way and different drift differently", () => {
    const a = [entry({ missing: ["a@x.com"] }), entry({ resource: "ok" })];
    expect(driftFingerprint(a)).toBe(driftFingerprint([entry({ resource: "ok" }), entry({ missing: ["a@x.com"] })]));
    expect(driftFingerprint(a)).not.toBe(driftFingerprint([entry({ missing: ["b@x.com"] })]));
  });
});

describe("eligibility of a mover", () => {
  it.each([
    [undefined, [], true],
    [["engineering"], ["Engineering"], true],
    [["engineering", "sre"], ["sre"], true],
    [["engineering"], ["analytics"], false],
    [[], ["engineering"], false],
  ] as const)("eligible %j with groups %j -> %s", (eligible, groups, expected) => {
    expect(isEligible({ eligible: eligible as string[] | undefined }, groups)).toBe(expected);
  });

  it("compares group lists ignoring case, order and duplicates", () => {
    expect(sameGroups(["a", "B"], ["b", "A", "a"])).toBe(true);
    expect(sameGroups(["a"], ["a", "c"])).toBe(false);
    expect(sameGroups(null, null)).toBe(true);
    expect(sameGroups(null, [])).toBe(false);
  });
});
