/**
 * Risk flags of one resource: the changes that widen who can get access, for how long, with
 * what, or with how much review. The codes and their rules are RISK_RULES in
 * policy-diff-types.ts. Pure.
 */
import type { Person } from "./grant-files.ts";
import { loginIndex, standingMembers } from "./policy-diff-fields.ts";
import { durationOf, listing, lower, member, type DiffResource, type RiskCode, type RiskFlag } from "./policy-diff-types.ts";

type Flag = (code: RiskCode, message: string) => void;

/** Approvers who can also request the resource, by email: who they are and why they are eligible. */
export function approversWhoCanRequest(resource: DiffResource, people: readonly Person[]): Map<string, string> {
  const logins = loginIndex(people);
  const eligible = resource.eligible === undefined ? null : lower(resource.eligible);
  const out = new Map<string, string>();
  for (const login of resource.approvers?.users ?? []) {
    const person = logins.get(login.toLowerCase());
    if (!person || out.has(person.email)) continue;
    if (eligible === null) {
      out.set(person.email, `${login} (${person.email}) can approve it and anyone may request it`);
      continue;
    }
    const via = lower(person.groups).filter((g) => eligible.includes(g));
    if (via.length > 0) out.set(person.email, `${login} (${person.email}) can approve it and can request it (people.yaml group ${listing(via)})`);
  }
  return out;
}

function approverLabel(login: string, people: Map<string, Person>): string {
  const email = people.get(login.toLowerCase())?.email;
  return email ? `${login} (${email})` : `${login} (not in people.yaml: approvals do not count)`;
}

/** The flags of resource `id` between two versions (`before` absent = added; `after` absent = no flags). */
export function resourceRisks(
  id: string,
  before: DiffResource | undefined,
  after: DiffResource | undefined,
  peopleBefore: readonly Person[],
  peopleAfter: readonly Person[],
): RiskFlag[] {
  if (!after) return [];
  const risks: RiskFlag[] = [];
  const flag: Flag = (code, message) => risks.push({ code, message });
  const loginsAfter = loginIndex(peopleAfter);
  if (!before) {
    const who = after.eligible === undefined ? "anyone" : `members of ${listing(after.eligible)}`;
    const approvers = [...(after.approvers?.teams ?? []).map((t) => `team ${t}`), ...(after.approvers?.users ?? [])];
    flag("resource_added", `new resource ${id}: ${who} can request up to ${after.duration?.max ?? "?"}, approved by ${after.approvers?.min ?? 1} of ${listing(approvers)}`);
  } else {
    compareLimits(before, after, flag);
    compareApprovers(before, after, loginIndex(peopleBefore), loginsAfter, flag);
    compareTarget(before, after, flag);
  }
  compareStanding(before, after, flag);
  compareBreakglass(before?.breakglass, after.breakglass, flag);
  if (before) compareReview(before.review, after.review, flag);
  const was = before ? approversWhoCanRequest(before, peopleBefore) : new Map<string, string>();
  for (const [email, sentence] of approversWhoCanRequest(after, peopleAfter)) {
    if (!was.has(email)) flag("approver_can_request", sentence);
  }
  return risks;
}

function compareLimits(before: DiffResource, after: DiffResource, flag: Flag): void {
  const maxB = durationOf(before.duration?.max);
  const maxA = durationOf(after.duration?.max);
  if (maxB !== null && maxA !== null && maxA > maxB) flag("max_duration_up", `max duration goes from ${before.duration.max} to ${after.duration.max}`);
  const minB = before.approvers?.min ?? 1;
  const minA = after.approvers?.min ?? 1;
  if (minA < minB) flag("approvers_fewer", `approvals needed go from ${minB} to ${minA}`);
  if (before.eligible !== undefined && after.eligible === undefined) {
    flag("eligibility_widened", `anyone may now request it (was: ${listing(before.eligible)})`);
  } else if (before.eligible !== undefined && after.eligible !== undefined) {
    const had = lower(before.eligible);
    const gained = after.eligible.filter((g) => !had.includes(g.toLowerCase()));
    if (gained.length > 0) flag("eligibility_widened", `members of ${listing(gained)} may now request it`);
  }
  if (before.reason_required !== false && after.reason_required === false) flag("reason_not_required", "a reason is no longer required");
  if (before.enforce === true && after.enforce !== true) flag("enforce_off", "enforce is turned off: drift in its groups is only reported, no longer repaired");
}

function compareApprovers(before: DiffResource, after: DiffResource, peopleB: Map<string, Person>, peopleA: Map<string, Person>, flag: Flag): void {
  const usersB = lower(before.approvers?.users);
  const teamsB = lower(before.approvers?.teams);
  const newUsers = (after.approvers?.users ?? []).filter((u) => !usersB.includes(u.toLowerCase()));
  const newTeams = (after.approvers?.teams ?? []).filter((t) => !teamsB.includes(t.toLowerCase()));
  const added = [...newUsers.map((u) => approverLabel(u, peopleA)), ...newTeams.map((t) => `team ${t} (members not known offline)`)];
  if (added.length > 0) flag("approver_added", `new approver${added.length > 1 ? "s" : ""}: ${listing(added)}`);
  for (const login of after.approvers?.users ?? []) {
    if (!usersB.includes(login.toLowerCase())) continue;
    const was = peopleB.get(login.toLowerCase())?.email;
    const now = peopleA.get(login.toLowerCase())?.email;
    if (now === undefined || now === was) continue;
    if (was === undefined) flag("approver_now_counts", `approver ${login} is now in people.yaml (${now}), so their approvals count`);
    else flag("approver_remap", `approver ${login} now resolves to ${now} (was ${was})`);
  }
}

function compareTarget(before: DiffResource, after: DiffResource, flag: Flag): void {
  if (before.scim?.target !== after.scim?.target) flag("target_changed", `SCIM target changes from ${before.scim?.target} to ${after.scim?.target}`);
  const groupsB = before.scim?.groups ?? [];
  const groups = (after.scim?.groups ?? []).filter((g) => !groupsB.includes(g));
  if (groups.length > 0) flag("groups_added", `holders are now also added to SCIM group${groups.length > 1 ? "s" : ""} ${listing(groups)}`);
  const audB = before.credential?.audience;
  const audA = after.credential?.audience;
  if (audA !== undefined && audA !== audB) {
    flag("audience_changed", audB === undefined ? `credentials are now issued (audience ${audA})` : `credential audience changes from ${audB} to ${audA}`);
  }
  const scopesB = before.credential?.scopes ?? [];
  const scopes = (after.credential?.scopes ?? []).filter((s) => !scopesB.includes(s));
  if (scopes.length > 0) flag("scopes_added", `credentials gain scope${scopes.length > 1 ? "s" : ""} ${listing(scopes)}`);
}

function compareStanding(before: DiffResource | undefined, after: DiffResource, flag: Flag): void {
  const was = new Map(standingMembers(before?.standing_members).map((m) => [m.email, m.review_after]));
  const now = standingMembers(after.standing_members);
  const added = now.filter((m) => !was.has(m.email)).map((m) => m.email);
  if (added.length > 0) flag("standing_member_added", `standing access without a grant for ${listing(added)}`);
  for (const m of now) {
    const old = was.get(m.email);
    if (old === undefined || old === null || old === m.review_after) continue;
    if (m.review_after === null) flag("standing_review_postponed", `${m.email} no longer has a review date (was ${old})`);
    else if (m.review_after > old) flag("standing_review_postponed", `review of ${m.email} moves from ${old} to ${m.review_after}`);
  }
}

function compareBreakglass(before: unknown, after: unknown, flag: Flag): void {
  if (after === undefined || after === null || after === false) return;
  if (before === undefined || before === null || before === false) {
    const max = member(after, "max");
    flag("breakglass_added", `break-glass (emergency access, reviewed afterwards) is now allowed${typeof max === "string" ? `, up to ${max}` : ""}`);
    return;
  }
  for (const key of ["max", "review_within"]) {
    const b = durationOf(member(before, key));
    const a = durationOf(member(after, key));
    if ((b !== null && a !== null && a > b) || (b !== null && member(after, key) === undefined)) {
      flag("breakglass_widened", `breakglass.${key} goes from ${String(member(before, key))} to ${String(member(after, key) ?? "unset")}`);
    }
  }
}

function compareReview(before: unknown, after: unknown, flag: Flag): void {
  if (before === undefined || before === null) return;
  if (after === undefined || after === null) {
    flag("review_weakened", "the periodic access review is removed");
    return;
  }
  const b = durationOf(member(before, "every"));
  const a = durationOf(member(after, "every"));
  if (b !== null && a !== null && a > b) flag("review_weakened", `access reviews become less frequent: every ${String(member(before, "every"))} -> every ${String(member(after, "every"))}`);
  if (member(before, "on_missed") === "revoke" && member(after, "on_missed") !== "revoke") {
    flag("review_weakened", `a missed review no longer revokes access (on_missed: ${String(member(after, "on_missed") ?? "unset")})`);
  }
}
