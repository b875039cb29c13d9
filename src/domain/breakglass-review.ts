/**
 * Whether a merged break-glass PR counts as the after-the-fact review: the same approval rules
 * as a grant PR's merge (policy.ts evaluateMerge), minus the request rules the emergency grant
 * was never judged by before access. The caller has already checked the PR's scope (exactly its
 * one grant file, merged into the base branch) and reads `catalog`/`people` at the merge commit's
 * first parent. Pure.
 */
import type { Catalog, People } from "./grant-files.ts";
import { evaluateApprovals, type PolicyFailure, type ReviewInput } from "./policy.ts";

export interface BreakglassReviewInput {
  /** The exact grant file text grantbot committed. */
  committedContent: string;
  /** The file's text in the merge commit; null when the file is absent there. */
  mergedContent: string | null;
  catalog: Catalog;
  resource: string;
  reviews: readonly ReviewInput[];
  headSha: string;
  mergedAt: number | null;
  people: People;
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  subject: string;
  requester: string;
}

export type BreakglassReviewResult = { ok: true; approvers: { login: string; email: string }[]; message: string } | PolicyFailure;

/**
 * Reviewed when the merged file is byte-identical to the committed one, the resource is in the
 * policy before the merge, and enough approvals count under its approver rule: each reviewer's
 * latest decisive review, APPROVED, on the head commit, submitted no later than the merge, from a
 * listed user or team member resolvable through people.yaml, neither the requester nor the subject.
 */
export function evaluateBreakglassReview(input: BreakglassReviewInput): BreakglassReviewResult {
  if (input.mergedContent === null) {
    return { ok: false, code: "file_tampered", message: "the grant file is missing from the merge commit" };
  }
  if (input.mergedContent !== input.committedContent) {
    return { ok: false, code: "file_tampered", message: "the grant file was changed after grantbot wrote it" };
  }
  const resource = Object.hasOwn(input.catalog.resources, input.resource) ? input.catalog.resources[input.resource] : undefined;
  if (resource === undefined) {
    return { ok: false, code: "unknown_resource", message: `${input.resource} is not in the catalog before the merge, so nobody is an approver of it` };
  }
  const approvals = evaluateApprovals({
    resource,
    resourceId: input.resource,
    reviews: input.reviews,
    headSha: input.headSha,
    people: input.people,
    teamMembers: input.teamMembers,
    subject: input.subject,
    requester: input.requester,
    mergedAt: input.mergedAt,
  });
  if (!approvals.ok) return { ok: false, code: "approval_missing", message: approvals.message };
  return { ok: true, approvers: approvals.approvers, message: approvals.message };
}
