/**
 * The three-way comparison of the evidence report, per managed group: the directory's status of
 * each person, grantbot's reason for their membership, and the live target's members — with
 * every disagreement named and what grantbot does about it. Uses reconcile's own comparison
 * (domain/drift.ts compareMembers), so the report and `grantbot reconcile` cannot disagree. Pure.
 */
import { compareMembers } from "./drift.ts";
import type { DirectoryStatus, GroupComparison, MemberRow, MembershipReason } from "./evidence-types.ts";

export interface GroupFacts {
  target: string;
  group: string;
  resources: string[];
  enforce: boolean;
  /** Members reconcile wants (active grants + standing members), lower-cased. */
  desired: ReadonlySet<string>;
  /** Members whose change is in flight (either way is fine right now). */
  tolerated: ReadonlySet<string>;
  /** Standing members reconcile counts as desired. */
  standing: ReadonlySet<string>;
  /** Standing members the catalog lists (some may no longer count: leavers, missed reviews). */
  listedStanding?: ReadonlySet<string>;
  /** Active grants covering the group. */
  grants: readonly { grantId: string; subject: string; expiresAt: number | null; emergency: boolean }[];
  /** The live members (lower-cased userNames), or null with `readError` when the target could not be read. */
  actual: readonly string[] | null;
  readError: string | null;
}

export interface PeopleFacts {
  status(email: string): DirectoryStatus;
  /** The open offboarding case of a person, if any. */
  openCase(email: string): string | null;
}

const LEFT: ReadonlySet<DirectoryStatus> = new Set(["inactive", "deleted"]);

function reasonsOf(email: string, facts: GroupFacts): MembershipReason[] {
  const reasons: MembershipReason[] = facts.grants.filter((g) => g.subject === email).map((g) => ({ kind: "grant", grantId: g.grantId, expiresAt: g.expiresAt, emergency: g.emergency }));
  if ((facts.listedStanding ?? facts.standing).has(email)) reasons.push({ kind: "standing" });
  if (reasons.length === 0) reasons.push(facts.tolerated.has(email) ? { kind: "in flight" } : { kind: "none" });
  return reasons;
}

function repairWord(enforce: boolean, verb: "adds" | "removes"): string {
  return enforce ? `reconciliation ${verb} it (enforce: true), verified by read-back` : "reported to operators (enforce: false); grantbot reconcile --fix repairs it";
}

export function compareGroup(facts: GroupFacts, people: PeopleFacts): GroupComparison {
  const actual = facts.actual === null ? null : new Set(facts.actual.map((e) => e.toLowerCase()));
  const drift = actual === null ? { missing: [], unexpected: [] } : compareMembers(facts.desired, facts.tolerated, actual);
  const missing = new Set(drift.missing);
  const unexpected = new Set(drift.unexpected);
  const everyone = new Set([...(actual ?? []), ...facts.desired, ...facts.tolerated]);
  const members: MemberRow[] = [...everyone].sort().map((email) => {
    const directory = people.status(email);
    const reasons = reasonsOf(email, facts);
    const inTarget = actual === null ? null : actual.has(email);
    let problem: string | null = null;
    let action: string | null = null;
    if (LEFT.has(directory) && (inTarget === true || facts.desired.has(email))) {
      const kase = people.openCase(email);
      const grants = reasons.flatMap((r) => (r.kind === "grant" ? [r.grantId] : []));
      problem = `${directory} in the directory but ${inTarget ? "still a member" : "still justified"}`;
      action = kase
        ? `offboarding case ${kase} is removing the access`
        : grants.length
          ? `the next directory poll starts offboarding, which revokes ${grants.join(", ")}`
          : (facts.listedStanding ?? facts.standing).has(email)
            ? "a standing member who left: no longer counted, so grantbot removes the membership; remove them from standing_members in catalog.yaml"
            : repairWord(facts.enforce, "removes");
    } else if (missing.has(email)) {
      problem = "justified but missing from the target";
      action = repairWord(facts.enforce, "adds");
    } else if (unexpected.has(email) && facts.listedStanding?.has(email)) {
      problem = "a listed standing member no longer counted (overdue on a review that revokes)";
      action = "the access review's removal takes it out, verified by read-back; the review PR removes the line";
    } else if (unexpected.has(email)) {
      problem = "in the target without a grant or standing membership";
      action = repairWord(facts.enforce, "removes");
    } else if (directory === "not in directory" && inTarget) {
      problem = "a member the directory does not know";
      action = "check the directory's record; grantbot cannot offboard a person it never saw";
    }
    return { email, directory, reasons, inTarget, problem, action };
  });
  return { target: facts.target, group: facts.group, resources: facts.resources, enforce: facts.enforce, readError: facts.readError, members };
}
