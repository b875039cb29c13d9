import { describe, expect, it } from "vitest";
import { catalogSchema, peopleSchema } from "../../src/domain/grant-files.ts";
import {
  evaluateApprovals,
  evaluateRequest,
  resolvePersonByEmail,
  resolvePersonByGithub,
  resolvePersonBySlack,
  type ReviewInput,
} from "../../src/domain/policy.ts";

const catalog = catalogSchema.parse({
  resources: {
    "prod-db-readonly": {
      description: "Read-only replica",
      scim: { target: "aws", groups: ["prod-db-readonly"] },
      duration: { default: "1h", max: "4h", min: "15m" },
      approvers: { teams: ["acme/sre"], users: ["bob-gh"], min: 2 },
      eligible: ["Engineering", "sre"],
      reason_required: true,
    },
    "staging-admin": {
      description: "Staging admin",
      scim: { target: "aws", groups: ["staging-admin"] },
      duration: { default: "2h", max: "1d" },
      approvers: { users: ["carol-gh"] },
      reason_required: false,
    },
  },
});
const prodDb = catalog.resources["prod-db-readonly"]!;

const people = peopleSchema.parse({
  people: [
    { email: "alice@example.com", github: "alice-gh", slack: "U0ALICE0001" },
    { email: "bob@example.com", github: "bob-gh" },
    { email: "carol@example.com", github: "Carol-GH" },
    { email: "dave@example.com", github: "dave-gh" },
    { email: "erin@example.com", github: "erin-gh" },
    { email: "carol@example.com", github: "carol-alt" },
  ],
});
const teamMembers = new Map([["acme/sre", new Set(["carol-gh", "dave-gh", "alice-gh", "carol-alt", "frank-gh", "erin-gh"])]]);
const alice = { email: "alice@example.com", groups: ["engineering"] };

describe("evaluateRequest", () => {
  const base = { catalog, resource: "prod-db-readonly", duration: "2h", reason: "INC-1234", requester: alice };

  it.each([
    ["an unknown resource", { resource: "prod-db" }, "unknown_resource", 'unknown resource "prod-db"; valid resources include prod-db-readonly, staging-admin'],
    ["an inherited property name as resource", { resource: "constructor" }, "unknown_resource", 'unknown resource "constructor"'],
    ["an unparsable duration", { duration: "soon" }, "bad_duration", '"soon" is not a duration'],
    ["a duration above max", { duration: "5h" }, "bad_duration", "prod-db-readonly allows at most 4h; ask for 4h or less"],
    ["an ISO duration above max", { duration: "PT4H1S" }, "bad_duration", "prod-db-readonly allows at most 4h"],
    ["a duration below min", { duration: "10m" }, "bad_duration", "prod-db-readonly needs at least 15m; ask for 15m or more"],
    ["a missing reason", { reason: "" }, "policy_denied", "prod-db-readonly requires a reason"],
    ["a blank reason", { reason: " \n\t " }, "policy_denied", "prod-db-readonly requires a reason"],
    ["an ineligible requester", { requester: { email: "x@example.com", groups: ["sales"] } }, "policy_denied", "members of Engineering or sre; x@example.com is in none of them"],
    ["a requester with no groups", { requester: { email: "x@example.com", groups: [] } }, "policy_denied", "may only be requested by members of Engineering or sre"],
  ])("denies %s", (_name, override, code, message) => {
    const result = evaluateRequest({ ...base, ...override });
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message).toContain(message);
  });

  it.each([
    ["the exact max", { duration: "4h" }, 4 * 3_600_000],
    ["the exact min", { duration: "15m" }, 15 * 60_000],
    ["ISO 8601", { duration: "PT2H" }, 2 * 3_600_000],
    ["the default when the duration is omitted", { duration: undefined }, 3_600_000],
    ["the default when the duration is blank", { duration: "  " }, 3_600_000],
    ["eligibility compared case-insensitively", { requester: { email: "a@example.com", groups: ["ENGINEERING"] } }, 2 * 3_600_000],
    ["eligibility through any one group", { requester: { email: "a@example.com", groups: ["sales", "SRE"] } }, 2 * 3_600_000],
    ["no reason where none is required", { resource: "staging-admin", reason: "" }, 2 * 3_600_000],
    ["anyone where eligible is absent", { resource: "staging-admin", requester: { email: "x@example.com", groups: [] } }, 2 * 3_600_000],
  ])("allows %s", (_name, override, durationMs) => {
    const result = evaluateRequest({ ...base, ...override });
    expect(result).toMatchObject({ ok: true, durationMs });
  });

  it("checks the rules in order: resource, duration, reason, eligibility", () => {
    const everythingWrong = { ...base, duration: "9h", reason: "", requester: { email: "x@example.com", groups: [] } };
    expect(evaluateRequest({ ...everythingWrong, resource: "nope" })).toMatchObject({ code: "unknown_resource" });
    expect(evaluateRequest(everythingWrong)).toMatchObject({ code: "bad_duration" });
    expect(evaluateRequest({ ...everythingWrong, duration: "1h" })).toMatchObject({ code: "policy_denied", message: expect.stringContaining("reason") });
  });

  it("suggests only a few resource ids when the catalog is large", () => {
    const resources = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`r${i}`, catalog.resources["staging-admin"]!]));
    const result = evaluateRequest({ ...base, catalog: { resources }, resource: "zzz" });
    expect(result).toMatchObject({ ok: false, message: 'unknown resource "zzz"; valid resources include r0, r1, r2, r3, r4 and 3 more' });
  });
});

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);
const review = (login: string, state: string, submittedAt: number | null = 1, commitId = HEAD): ReviewInput => ({
  login,
  state,
  commitId,
  submittedAt,
});
const approve = (login: string, submittedAt = 1, commitId = HEAD) => review(login, "APPROVED", submittedAt, commitId);
const approvalsFor = (reviews: ReviewInput[], overrides: { subject?: string; requester?: string } = {}) =>
  evaluateApprovals({
    resource: prodDb,
    resourceId: "prod-db-readonly",
    reviews,
    headSha: HEAD,
    people,
    teamMembers,
    subject: overrides.subject ?? "erin@example.com",
    requester: overrides.requester ?? "alice@example.com",
  });

describe("evaluateApprovals", () => {
  it.each<[string, ReviewInput[], boolean, string[], [string, string][]]>([
    ["a listed user and a team member", [approve("bob-gh"), approve("dave-gh")], true, ["bob-gh", "dave-gh"], []],
    ["two team members", [approve("Carol-GH"), approve("dave-gh")], true, ["Carol-GH", "dave-gh"], []],
    ["one approval of two", [approve("bob-gh")], false, ["bob-gh"], []],
    ["no reviews", [], false, [], []],
    ["self-approval by the requester", [approve("bob-gh"), approve("alice-gh")], false, ["bob-gh"], [["alice-gh", "is the requester"]]],
    ["approval on an older commit", [approve("bob-gh"), approve("dave-gh", 1, OLD)], false, ["bob-gh"], [["dave-gh", "review is on an older commit"]]],
    ["approval by the subject", [approve("bob-gh"), approve("erin-gh")], false, ["bob-gh"], [["erin-gh", "is the subject"]]],
    ["approval by someone outside the approver list", [approve("bob-gh"), approve("mallory")], false, ["bob-gh"], [["mallory", "not an approver for prod-db-readonly"]]],
    ["an approver missing from people.yaml", [approve("bob-gh"), approve("frank-gh")], false, ["bob-gh"], [["frank-gh", "not in people.yaml"]]],
    ["CHANGES_REQUESTED after APPROVED", [approve("bob-gh"), approve("dave-gh", 1), review("dave-gh", "CHANGES_REQUESTED", 2)], false, ["bob-gh"], [["dave-gh", "latest review is CHANGES_REQUESTED"]]],
    ["APPROVED after CHANGES_REQUESTED", [approve("bob-gh"), review("dave-gh", "CHANGES_REQUESTED", 1), approve("dave-gh", 2)], true, ["bob-gh", "dave-gh"], []],
    ["DISMISSED after APPROVED", [approve("bob-gh"), approve("dave-gh", 1), review("dave-gh", "DISMISSED", 2)], false, ["bob-gh"], [["dave-gh", "latest review is DISMISSED"]]],
    ["COMMENTED after APPROVED", [approve("bob-gh"), approve("dave-gh", 1), review("dave-gh", "COMMENTED", 2)], true, ["bob-gh", "dave-gh"], []],
    ["a pending review after APPROVED", [approve("bob-gh"), approve("dave-gh", 1), review("dave-gh", "PENDING", null)], true, ["bob-gh", "dave-gh"], []],
    ["only a comment", [approve("bob-gh"), review("dave-gh", "COMMENTED")], false, ["bob-gh"], [["dave-gh", "only commented"]]],
    ["latest by time, not by input order", [approve("bob-gh"), review("dave-gh", "CHANGES_REQUESTED", 5), approve("dave-gh", 3)], false, ["bob-gh"], [["dave-gh", "latest review is CHANGES_REQUESTED"]]],
    ["ties broken by input order", [approve("bob-gh"), approve("dave-gh", 4), review("dave-gh", "CHANGES_REQUESTED", 4)], false, ["bob-gh"], [["dave-gh", "latest review is CHANGES_REQUESTED"]]],
    ["duplicate approvals from one login", [approve("bob-gh", 1), approve("BOB-GH", 2)], false, ["bob-gh"], []],
    ["two logins of one person", [approve("carol-gh"), approve("carol-alt")], false, ["carol-gh"], [["carol-alt", "same person as carol-gh"]]],
    ["an old-commit approval superseded by one on the head", [approve("bob-gh"), approve("dave-gh", 1, OLD), approve("dave-gh", 2)], true, ["bob-gh", "dave-gh"], []],
  ])("with %s", (_name, reviews, ok, approvers, ignored) => {
    const result = approvalsFor(reviews);
    expect(result.ok).toBe(ok);
    expect(result.required).toBe(2);
    expect(result.approvers.map((a) => a.login)).toEqual(approvers);
    expect(result.ignored.map((i) => [i.login, i.why])).toEqual(ignored);
  });

  it("rejects approval by the subject when someone else requested", () => {
    const result = approvalsFor([approve("bob-gh"), approve("dave-gh")], { subject: "dave@example.com", requester: "erin@example.com" });
    expect(result.ok).toBe(false);
    expect(result.ignored).toEqual([{ login: "dave-gh", why: "is the subject" }]);
  });

  it("ignores a listed approver who is not in people.yaml", () => {
    const resource = { ...prodDb, approvers: { teams: [], users: ["bob-gh", "ghost-gh"], min: 2 } };
    const result = evaluateApprovals({
      resource,
      resourceId: "prod-db-readonly",
      reviews: [approve("bob-gh"), approve("ghost-gh")],
      headSha: HEAD,
      people,
      teamMembers,
      subject: "erin@example.com",
      requester: "alice@example.com",
    });
    expect(result.ok).toBe(false);
    expect(result.ignored).toEqual([{ login: "ghost-gh", why: "not in people.yaml" }]);
  });

  it("matches team names and members case-insensitively", () => {
    const result = evaluateApprovals({
      resource: prodDb,
      reviews: [approve("bob-gh"), approve("DAVE-gh")],
      headSha: HEAD,
      people,
      teamMembers: new Map([["ACME/SRE", new Set(["Dave-GH"])]]),
      subject: "erin@example.com",
      requester: "alice@example.com",
    });
    expect(result.ok).toBe(true);
    expect(result.approvers).toEqual([
      { login: "bob-gh", email: "bob@example.com" },
      { login: "DAVE-gh", email: "dave@example.com" },
    ]);
  });

  it("states which rule failed and why reviewers were ignored", () => {
    expect(approvalsFor([approve("carol-gh"), approve("alice-gh")]).message).toBe(
      "needs 2 approvals from acme/sre or bob-gh; has 1 (carol-gh). Ignored: alice-gh (is the requester)",
    );
    expect(approvalsFor([]).message).toBe("needs 2 approvals from acme/sre or bob-gh; has 0");
    expect(approvalsFor([approve("bob-gh"), approve("dave-gh")]).message).toBe("has 2 of 2 required approvals (bob-gh, dave-gh)");
  });
});

describe("people resolution", () => {
  it.each([
    ["github", () => resolvePersonByGithub(people, "ALICE-GH")],
    ["email", () => resolvePersonByEmail(people, "Alice@Example.com")],
    ["slack", () => resolvePersonBySlack(people, "u0alice0001")],
  ])("resolves by %s case-insensitively", (_by, resolve) => {
    expect(resolve()?.email).toBe("alice@example.com");
  });

  it.each([
    ["github", () => resolvePersonByGithub(people, "nobody")],
    ["email", () => resolvePersonByEmail(people, "nobody@example.com")],
    ["slack", () => resolvePersonBySlack(people, "U0NOBODY01")],
  ])("returns null for an unknown %s identity", (_by, resolve) => {
    expect(resolve()).toBeNull();
  });
});
