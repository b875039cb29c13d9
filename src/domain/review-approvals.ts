/**
 * Who certified an access review: the resource's approver rule, as for a grant PR (latest
 * decisive review, APPROVED on the final head commit, no later than the merge, from a listed
 * user or team member in people.yaml, one person once), except that a person listed in the
 * review never counts — nobody certifies their own standing access, whether or not the PR
 * removes them. Pure.
 */
import type { CatalogResource, People } from "./grant-files.ts";
import { evaluateApprovals, orList, resolvePersonByGithub, type ApprovalsResult, type ReviewInput } from "./policy-approvals.ts";

export interface ReviewApprovalsInput {
  resourceId: string;
  resource: CatalogResource;
  reviews: readonly ReviewInput[];
  headSha: string;
  people: People;
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Emails of the members the review lists. */
  listed: readonly string[];
  mergedAt: number | null;
}

export function evaluateReviewApprovals(input: ReviewApprovalsInput): ApprovalsResult {
  const listed = new Set(input.listed.map((e) => e.toLowerCase()));
  const own: { login: string; why: string }[] = [];
  const counted = input.reviews.filter((r) => {
    const email = resolvePersonByGithub(input.people, r.login)?.email.toLowerCase();
    if (email === undefined || !listed.has(email)) return true;
    if (r.state === "APPROVED" && !own.some((o) => o.login.toLowerCase() === r.login.toLowerCase())) own.push({ login: r.login, why: "is listed in this review" });
    return false;
  });
  const result = evaluateApprovals({
    resource: input.resource,
    resourceId: input.resourceId,
    reviews: counted,
    headSha: input.headSha,
    people: input.people,
    teamMembers: input.teamMembers,
    // Nobody is the subject or requester of a review; the listed members were taken out above.
    subject: "",
    requester: "",
    mergedAt: input.mergedAt,
  });
  const ignored = [...own, ...result.ignored];
  const required = result.required;
  const logins = result.approvers.map((a) => a.login).join(", ");
  const tail = ignored.length === 0 ? "" : `. Ignored: ${ignored.map((i) => `${i.login} (${i.why})`).join(", ")}`;
  const from = orList([...input.resource.approvers.teams, ...input.resource.approvers.users]);
  const s = required === 1 ? "" : "s";
  const message = result.ok
    ? `has ${result.approvers.length} of ${required} required approval${s} (${logins})${tail}`
    : `needs ${required} approval${s} from ${from}; has ${result.approvers.length}${logins ? ` (${logins})` : ""}${tail}`;
  return { ...result, ignored, message };
}
