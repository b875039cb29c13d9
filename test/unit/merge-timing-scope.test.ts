import { describe, expect, it } from "vitest";
import { catalogSchema, peopleSchema } from "../../src/domain/grant-files.ts";
import { evaluateApprovals, type ReviewInput } from "../../src/domain/policy.ts";
import { checkMergeScope, type DiffFile } from "../../src/domain/merge-scope.ts";

const resource = catalogSchema.parse({
  resources: {
    db: { description: "db", scim: { target: "aws", groups: ["db"] }, duration: { default: "1h", max: "4h" }, approvers: { users: ["bob-gh", "dave-gh"], min: 1 }, reason_required: false },
  },
}).resources["db"]!;
const people = peopleSchema.parse({ people: [{ email: "bob@example.com", github: "bob-gh" }, { email: "dave@example.com", github: "dave-gh" }] });
const HEAD = "a".repeat(40);
const MERGED_AT = 10_000;
const approve = (login: string, submittedAt: number | null): ReviewInput => ({ login, state: "APPROVED", commitId: HEAD, submittedAt });

describe("approvals submitted after the merge", () => {
  const evaluate = (reviews: ReviewInput[], mergedAt: number | null = MERGED_AT) =>
    evaluateApprovals({ resource, resourceId: "db", reviews, headSha: HEAD, people, teamMembers: new Map(), subject: "erin@example.com", requester: "erin@example.com", mergedAt });

  it.each<[string, ReviewInput[], boolean, [string, string][]]>([
    ["an approval before the merge counts", [approve("bob-gh", MERGED_AT - 1)], true, []],
    ["an approval in the merge's own second counts", [approve("bob-gh", MERGED_AT)], true, []],
    ["an approval after the merge does not", [approve("bob-gh", MERGED_AT + 1)], false, [["bob-gh", "approved after the merge"]]],
    ["an approval without a submission time does not", [approve("bob-gh", null)], false, [["bob-gh", "approved after the merge"]]],
    ["a later approval does not replace an earlier one that counted", [approve("bob-gh", MERGED_AT - 5), approve("bob-gh", MERGED_AT + 5)], true, []],
    [
      "a CHANGES_REQUESTED after the merge does not undo an approval before it",
      [approve("bob-gh", MERGED_AT - 5), { login: "bob-gh", state: "CHANGES_REQUESTED", commitId: HEAD, submittedAt: MERGED_AT + 5 }],
      true,
      [],
    ],
  ])("%s", (_name, reviews, ok, ignored) => {
    const result = evaluate(reviews);
    expect(result.ok).toBe(ok);
    expect(result.ignored.map((i) => [i.login, i.why])).toEqual(ignored);
  });

  it("counts every submitted review of a PR that is not merged yet (pending approvals shown in Slack)", () => {
    expect(evaluate([approve("bob-gh", MERGED_AT + 1)], null).ok).toBe(true);
  });
});

describe("checkMergeScope", () => {
  const GRANT = "grants/db/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml";
  const added: DiffFile = { path: GRANT, status: "added" };
  const scope = (prFiles: DiffFile[], mergeFiles: DiffFile[] = prFiles, baseRef = "main") => checkMergeScope({ baseRef, baseBranch: "main", grantPath: GRANT, prFiles, mergeFiles });

  it("accepts exactly its own grant file, added, on the base branch", () => {
    expect(scope([added])).toBeNull();
  });

  it.each<[string, DiffFile[], DiffFile[], RegExp]>([
    ["the catalog too", [added, { path: "grants/catalog.yaml", status: "modified" }], [added], /the pull request changes files besides .*: grants\/catalog\.yaml \(modified\)/],
    ["people.yaml too", [added, { path: "grants/people.yaml", status: "modified" }], [added], /grants\/people\.yaml \(modified\)/],
    ["CODEOWNERS removed", [added, { path: ".github/CODEOWNERS", status: "removed" }], [added], /\.github\/CODEOWNERS \(removed\)/],
    ["another grant", [added, { path: "grants/db/OTHER.yaml", status: "added" }], [added], /grants\/db\/OTHER\.yaml \(added\)/],
    ["its grant file modified rather than added", [{ path: GRANT, status: "modified" }], [added], /besides its grant file/],
    ["its grant file renamed from elsewhere", [{ path: GRANT, status: "renamed", previousPath: "grants/db/X.yaml" }], [added], /grants\/db\/X\.yaml -> .* \(renamed\)/],
    ["no grant file at all", [], [added], /does not add the grant file/],
    ["a merge commit that changes the catalog (rebase merge)", [added], [{ path: "grants/catalog.yaml", status: "modified" }], /the merge commit changes files besides .*grants\/catalog\.yaml \(modified\)/],
    ["a merge commit without the grant file", [added], [], /the merge commit does not add the grant file/],
  ])("rejects a merge that changes %s", (_name, prFiles, mergeFiles, message) => {
    const result = scope(prFiles, mergeFiles);
    expect(result?.code).toBe("pr_out_of_scope");
    expect(result?.message).toMatch(message);
  });

  it("names at most five offending files, then how many more", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ path: `x/${i}`, status: "added" }));
    expect(scope([added, ...many])?.message).toMatch(/x\/4 \(added\) and 3 more/);
  });

  it("rejects a PR merged into another branch, before looking at its files", () => {
    expect(scope([added], [added], "release")?.message).toBe('the pull request was merged into "release", not the base branch "main"; only a merge into main approves a grant');
  });
});
