/**
 * Who approved a grant PR, by the catalog's rules. Split from policy.ts for size; import it
 * through policy.ts. Pure.
 */
import type { CatalogResource, People, Person } from "./grant-files.ts";

/** A submitted PR review. Structurally compatible with services/ports.ts `Review`. */
export interface ReviewInput {
  login: string;
  /** GitHub review state: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING. */
  state: string;
  commitId: string;
  /** Epoch ms; null for reviews that were never submitted. */
  submittedAt: number | null;
}

export interface ApprovalsInput {
  resource: CatalogResource;
  /** The resource's catalog id, used in messages; optional for callers that lack it. */
  resourceId?: string;
  reviews: readonly ReviewInput[];
  /** The PR's final head commit; only approvals of exactly this commit count. */
  headSha: string;
  people: People;
  /** Team "org/slug" -> lower-cased logins of its members. */
  teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Emails of who gets access and who asked; neither may approve. */
  subject: string;
  requester: string;
  /**
   * When the PR was merged (epoch ms): a review submitted after it never counts, whatever it says
   * (an approval arriving between the merge and grantbot's check must not activate an unapproved
   * merge). Absent for a PR still open.
   */
  mergedAt?: number | null;
}

export interface ApprovalsResult {
  ok: boolean;
  required: number;
  approvers: { login: string; email: string }[];
  ignored: { login: string; why: string }[];
  message: string;
}

/** Review states that change a reviewer's standing; COMMENTED (and PENDING) do not (GitHub semantics). */
const DECISIVE_STATES = new Set(["APPROVED", "CHANGES_REQUESTED", "DISMISSED"]);

interface Reviewer {
  login: string;
  decisive: ReviewInput | null;
}

/**
 * Counts the approvals that satisfy the resource's approver rule. Each reviewer's latest decisive
 * review (by submittedAt, ties in input order) decides; it counts when it is APPROVED, on
 * `headSha`, by a listed user or team member who resolves through people.yaml to someone other
 * than the subject and the requester, and was submitted no later than the merge (`mergedAt`).
 * One person counts once, whatever their logins.
 */
export function evaluateApprovals(input: ApprovalsInput): ApprovalsResult {
  const { resource, people } = input;
  const required = resource.approvers.min;
  const subject = input.subject.toLowerCase();
  const requester = input.requester.toLowerCase();
  const headSha = input.headSha.toLowerCase();
  const teams = lowerKeys(input.teamMembers);
  const users = new Set(resource.approvers.users.map((u) => u.toLowerCase()));
  const isApprover = (login: string): boolean =>
    users.has(login) || resource.approvers.teams.some((t) => teams.get(t.toLowerCase())?.has(login) ?? false);

  const approvers: { login: string; email: string }[] = [];
  const ignored: { login: string; why: string }[] = [];
  const countedBy = new Map<string, string>(); // email -> login that counted
  const mergedAt = input.mergedAt ?? null;
  const inTime = mergedAt === null ? input.reviews : input.reviews.filter((r) => r.submittedAt !== null && r.submittedAt <= mergedAt);
  for (const [key, reviewer] of latestDecisiveReviews(inTime)) {
    const why = ((): string | null => {
      const review = reviewer.decisive;
      if (review === null) return "only commented";
      if (review.state !== "APPROVED") return `latest review is ${review.state}`;
      const person = resolvePersonByGithub(people, key);
      const email = person?.email.toLowerCase();
      if (email === requester) return "is the requester";
      if (email === subject) return "is the subject";
      if (!isApprover(key)) return `not an approver for ${input.resourceId ?? "this resource"}`;
      if (email === undefined) return "not in people.yaml";
      if (review.commitId.toLowerCase() !== headSha) return "review is on an older commit";
      const earlier = countedBy.get(email);
      if (earlier !== undefined) return `same person as ${earlier}`;
      countedBy.set(email, reviewer.login);
      approvers.push({ login: reviewer.login, email });
      return null;
    })();
    if (why !== null) ignored.push({ login: reviewer.login, why });
  }

  // Approvals that came too late, named so the PR comment says why they did not count.
  for (const review of input.reviews) {
    if (inTime.includes(review) || review.state !== "APPROVED") continue;
    const login = review.login.toLowerCase();
    if (approvers.some((a) => a.login.toLowerCase() === login) || ignored.some((i) => i.login.toLowerCase() === login)) continue;
    ignored.push({ login: review.login, why: "approved after the merge" });
  }

  const ok = approvers.length >= required;
  return { ok, required, approvers, ignored, message: approvalsMessage(input, ok, approvers, ignored) };
}

/** Reviewers keyed by lower-cased login, in order of first appearance, with their latest decisive review. */
function latestDecisiveReviews(reviews: readonly ReviewInput[]): Map<string, Reviewer> {
  const ordered = reviews
    .map((review, index) => ({ review, index }))
    .sort((a, b) => (a.review.submittedAt ?? -Infinity) - (b.review.submittedAt ?? -Infinity) || a.index - b.index);
  const byLogin = new Map<string, Reviewer>();
  for (const { review } of ordered) {
    if (review.state === "PENDING") continue;
    const key = review.login.toLowerCase();
    const reviewer = byLogin.get(key) ?? { login: review.login, decisive: null };
    if (DECISIVE_STATES.has(review.state)) reviewer.decisive = review;
    byLogin.set(key, reviewer);
  }
  return byLogin;
}

function approvalsMessage(
  input: ApprovalsInput,
  ok: boolean,
  approvers: readonly { login: string }[],
  ignored: readonly { login: string; why: string }[],
): string {
  const required = input.resource.approvers.min;
  const logins = approvers.map((a) => a.login).join(", ");
  const tail = ignored.length === 0 ? "" : `. Ignored: ${ignored.map((i) => `${i.login} (${i.why})`).join(", ")}`;
  if (ok) return `has ${approvers.length} of ${required} required approval${plural(required)} (${logins})${tail}`;
  const from = orList([...input.resource.approvers.teams, ...input.resource.approvers.users]);
  const has = approvers.length === 0 ? "has 0" : `has ${approvers.length} (${logins})`;
  return `needs ${required} approval${plural(required)} from ${from}; ${has}${tail}`;
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

function lowerKeys(map: ReadonlyMap<string, ReadonlySet<string>>): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const [team, members] of map) {
    const key = team.toLowerCase();
    const merged = new Set([...(out.get(key) ?? []), ...[...members].map((m) => m.toLowerCase())]);
    out.set(key, merged);
  }
  return out;
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The person whose GitHub login is `login` (case-insensitive), or null. */
export function resolvePersonByGithub(people: People, login: string): Person | null {
  const wanted = login.toLowerCase();
  return people.people.find((p) => p.github.toLowerCase() === wanted) ?? null;
}

/** The person with this email (case-insensitive), or null. */
export function resolvePersonByEmail(people: People, email: string): Person | null {
  const wanted = email.trim().toLowerCase();
  return people.people.find((p) => p.email.toLowerCase() === wanted) ?? null;
}

/** The person with this Slack user id (case-insensitive), or null. */
export function resolvePersonBySlack(people: People, slackId: string): Person | null {
  const wanted = slackId.toUpperCase();
  return people.people.find((p) => p.slack !== undefined && p.slack.toUpperCase() === wanted) ?? null;
}
