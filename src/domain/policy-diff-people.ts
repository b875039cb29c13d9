/**
 * Identity changes in people.yaml: people added or removed, their GitHub login, Slack id and
 * groups changing — and, flagged as sensitive, a login or Slack id that now maps to another email
 * (approvals by that login, or requests from that Slack account, now count as someone else's). Pure.
 */
import { isEligible } from "./eligibility.ts";
import type { Person } from "./grant-files.ts";
import { listDelta, listing, lower, stableJson, type DiffResource, type FieldChange, type JsonValue, type PersonDiff } from "./policy-diff-types.ts";

function personFields(person: Person): [string, JsonValue][] {
  return [
    ["github", person.github],
    ["slack", person.slack ?? null],
    ["groups", person.groups === undefined ? null : lower(person.groups)],
  ];
}

/** key (lower case) -> email of its first holder. */
function holders(people: readonly Person[], key: (p: Person) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const person of people) {
    const k = key(person)?.toLowerCase();
    if (k !== undefined && !out.has(k)) out.set(k, person.email);
  }
  return out;
}

function byEmail(people: readonly Person[]): Map<string, Person> {
  const out = new Map<string, Person>();
  for (const person of people) if (!out.has(person.email)) out.set(person.email, person);
  return out;
}

/**
 * Per-person changes, sorted by email. `resources` (the catalog after the change) names what a
 * person becomes eligible for when people.yaml gives them more groups.
 */
export function diffPeople(before: readonly Person[], after: readonly Person[], resources: Readonly<Record<string, DiffResource>>): PersonDiff[] {
  const was = byEmail(before);
  const now = byEmail(after);
  const emails = [...new Set([...was.keys(), ...now.keys()])].sort();
  const out: PersonDiff[] = [];
  for (const email of emails) {
    const b = was.get(email);
    const a = now.get(email);
    const fields = diffPersonFields(b, a);
    if (fields.length === 0) continue;
    out.push({ email, change: !b ? "added" : !a ? "removed" : "changed", fields, sensitive: false, risks: [] });
  }
  const entry = (email: string): PersonDiff | undefined => out.find((p) => p.email === email);

  const remaps: [string, (p: Person) => string | undefined][] = [["GitHub login", (p) => p.github], ["Slack id", (p) => p.slack]];
  for (const [label, key] of remaps) {
    const oldHolders = holders(before, key);
    for (const [id, email] of holders(after, key)) {
      const previous = oldHolders.get(id);
      const target = entry(email);
      if (previous === undefined || previous === email || !target) continue;
      const shown = after.find((p) => key(p)?.toLowerCase() === id && p.email === email);
      target.sensitive = true;
      target.risks.push({ code: "identity_remap", message: `${label} ${shown ? key(shown) : id} now maps to ${email} (was ${previous})` });
    }
  }

  for (const [email, a] of now) {
    const b = was.get(email);
    if (!b || a.groups === undefined) continue;
    const gained = lower(a.groups).filter((g) => !lower(b.groups).includes(g));
    if (gained.length === 0) continue;
    const newly = Object.keys(resources)
      .sort()
      .filter((id) => {
        const resource = resources[id]!;
        return resource.eligible !== undefined && isEligible(resource, a.groups ?? []) && !isEligible(resource, b.groups ?? []);
      });
    if (newly.length > 0) {
      entry(email)?.risks.push({
        code: "person_groups_added",
        message: `${email} gains group${gained.length > 1 ? "s" : ""} ${listing(gained)} and may now request ${listing(newly)}`,
      });
    }
  }
  return out;
}

function diffPersonFields(before: Person | undefined, after: Person | undefined): FieldChange[] {
  const b = new Map(before ? personFields(before) : []);
  const a = new Map(after ? personFields(after) : []);
  const changes: FieldChange[] = [];
  for (const field of ["github", "slack", "groups"]) {
    const was = b.get(field) ?? null;
    const now = a.get(field) ?? null;
    if (stableJson(was) === stableJson(now)) continue;
    const change: FieldChange = { field, before: was, after: now };
    if (field === "groups" && before && after) Object.assign(change, listDelta(Array.isArray(was) ? was : [], Array.isArray(now) ? now : []));
    changes.push(change);
  }
  return changes;
}
