/**
 * Which standing members keep a membership an ending grant would remove (policy/standing-coverage.ts),
 * tried as the cases that could leave access behind: a leaver, a member overdue on a revoking
 * review, another resource's group, and a catalog that cannot be read (then nobody is kept).
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.ts";
import { catalogSchema, peopleSchema } from "../../src/domain/grant-files.ts";
import { StaticPolicyProvider } from "../../src/services/policy/policy-provider.ts";
import { standingCoverage, type StandingCoverageDeps } from "../../src/services/policy/standing-coverage.ts";
import type { DirectoryRecord } from "../../src/services/ports/index.ts";

const NOW = Date.parse("2027-01-10T00:00:00Z");
const catalog = catalogSchema.parse({
  resources: {
    db: {
      description: "db",
      scim: { target: "aws", groups: ["db-read"] },
      duration: { default: "1h", max: "4h" },
      approvers: { users: ["carol-gh"], min: 1 },
      reason_required: false,
      standing_members: ["dana@example.com", "leo@example.com", { email: "olga@example.com", review_after: "2027-01-01" }],
      review: { every: "90d", notice: "14d", on_missed: "revoke" },
    },
    other: {
      description: "other",
      scim: { target: "aws", groups: ["other"] },
      duration: { default: "1h", max: "4h" },
      approvers: { users: ["carol-gh"], min: 1 },
      reason_required: false,
    },
  },
});
const people = peopleSchema.parse({ people: [] });

function deps(overrides: Partial<StandingCoverageDeps> = {}): StandingCoverageDeps {
  const leo = { email: "leo@example.com", active: false, removedAt: null } as unknown as DirectoryRecord;
  return {
    policy: new StaticPolicyProvider({ catalog, people }),
    clock: { now: () => NOW },
    people: { get: (email: string) => (email === "leo@example.com" ? leo : null) } as unknown as StandingCoverageDeps["people"],
    reviews: { listByState: () => [] } as unknown as StandingCoverageDeps["reviews"],
    log: { debug() {}, info() {}, warn() {}, error() {}, child: () => deps().log },
    ...overrides,
  };
}

describe("standingCoverage", () => {
  it.each([
    ["a standing member of the group", "aws", "db-read", "Dana@Example.com", true],
    ["the same person in a group of another resource", "aws", "other", "dana@example.com", false],
    ["the same group in another target", "okta", "db-read", "dana@example.com", false],
    ["a leaver who is still listed", "aws", "db-read", "leo@example.com", false],
    ["a member overdue on a review that revokes", "aws", "db-read", "olga@example.com", false],
    ["someone not listed", "aws", "db-read", "mallory@example.com", false],
  ])("%s -> kept: %s", async (_name, target, group, email, kept) => {
    expect((await standingCoverage(deps()))(target, group, email)).toBe(kept);
  });

  it("keeps nobody when the catalog cannot be read (the removal goes ahead)", async () => {
    const down = { current: async () => Promise.reject(new AppError("target_unavailable", "GitHub down")), at: async () => Promise.reject(new Error("unused")) };
    const covered = await standingCoverage(deps({ policy: down as unknown as StandingCoverageDeps["policy"] }));
    expect(covered("aws", "db-read", "dana@example.com")).toBe(false);
  });
});
