import { describe, expect, it } from "vitest";
import { catalogSchema, peopleSchema, type Catalog } from "../../src/domain/grant-files.ts";
import { evaluateMerge, type MergeInput } from "../../src/domain/policy.ts";

const resourceSpec = {
  description: "Read-only replica",
  scim: { target: "aws", groups: ["prod-db-readonly"] },
  duration: { default: "1h", max: "4h" },
  approvers: { teams: ["acme/dba"], users: ["bob-gh"], min: 1 },
  eligible: ["engineering"],
  reason_required: true,
};
const catalogWith = (overrides: Record<string, unknown> = {}): Catalog =>
  catalogSchema.parse({ resources: { "prod-db-readonly": { ...resourceSpec, ...overrides } } });

const people = peopleSchema.parse({
  people: [
    { email: "alice@example.com", github: "alice-gh" },
    { email: "bob@example.com", github: "bob-gh" },
  ],
});
const HEAD = "c".repeat(40);
const FILE = "id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5A\nresource: prod-db-readonly\nduration: 2h\n";

const merge = (overrides: Partial<MergeInput> = {}): ReturnType<typeof evaluateMerge> =>
  evaluateMerge({
    committedContent: FILE,
    mergedContent: FILE,
    catalog: catalogWith(),
    resource: "prod-db-readonly",
    duration: "2h",
    reason: "INC-1234",
    requester: { email: "alice@example.com", groups: ["engineering"] },
    subject: "alice@example.com",
    reviews: [{ login: "bob-gh", state: "APPROVED", commitId: HEAD, submittedAt: 1 }],
    headSha: HEAD,
    people,
    teamMembers: new Map(),
    ...overrides,
  });

describe("evaluateMerge", () => {
  it("activates an untouched, still-allowed, approved grant", () => {
    expect(merge()).toMatchObject({
      ok: true,
      durationMs: 2 * 3_600_000,
      approvers: [{ login: "bob-gh", email: "bob@example.com" }],
    });
  });

  it.each<[string, Partial<MergeInput>, string, string]>([
    ["the merged file was edited", { mergedContent: FILE.replace("2h", "4h") }, "file_tampered", "the grant file was changed after grantbot wrote it"],
    ["only whitespace of the merged file changed", { mergedContent: `${FILE}\n` }, "file_tampered", "the grant file was changed after grantbot wrote it"],
    ["line endings of the merged file changed", { mergedContent: FILE.replaceAll("\n", "\r\n") }, "file_tampered", "the grant file was changed after grantbot wrote it"],
    ["the file is missing from the merge commit", { mergedContent: null }, "file_tampered", "the grant file is missing from the merge commit"],
    ["the resource was deleted since the request", { catalog: { resources: {} } }, "unknown_resource", 'unknown resource "prod-db-readonly"'],
    ["the max was lowered since the request", { catalog: catalogWith({ duration: { default: "1h", max: "1h" } }) }, "bad_duration", "prod-db-readonly allows at most 1h; ask for 1h or less"],
    ["the reason is blank", { reason: "" }, "policy_denied", "requires a reason"],
    ["the requester left the eligible groups", { requester: { email: "alice@example.com", groups: ["sales"] } }, "policy_denied", "may only be requested by members of engineering"],
    ["nobody approved", { reviews: [] }, "approval_missing", "needs 1 approval from acme/dba or bob-gh; has 0"],
    ["the only approval is on an older commit", { headSha: "d".repeat(40) }, "approval_missing", "Ignored: bob-gh (review is on an older commit)"],
    ["the approver is the subject", { subject: "bob@example.com" }, "approval_missing", "Ignored: bob-gh (is the subject)"],
    ["the approver is the requester", { requester: { email: "bob@example.com", groups: ["engineering"] } }, "approval_missing", "Ignored: bob-gh (is the requester)"],
  ])("does not activate when %s", (_name, overrides, code, message) => {
    const result = merge(overrides);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("checks the file before the policy and the policy before approvals", () => {
    const everythingWrong = { catalog: { resources: {} }, reviews: [] };
    expect(merge({ ...everythingWrong, mergedContent: "x" })).toMatchObject({ code: "file_tampered" });
    expect(merge(everythingWrong)).toMatchObject({ code: "unknown_resource" });
    expect(merge({ reviews: [] })).toMatchObject({ code: "approval_missing" });
  });
});
