/**
 * Who can access what: the difference between two versions of the policy (grants/catalog.yaml
 * and grants/people.yaml), per resource and per person, with risk flags on the changes that widen
 * access. `grantbot diff` prints it for a pull request. Pure: parsed files in, a diff out.
 *
 * Pieces: policy-diff-fields.ts (field-by-field changes), policy-diff-risks.ts (resource flags),
 * policy-diff-people.ts (identity changes), policy-diff-source.ts (parsing), policy-diff-render.ts
 * (Markdown and JSON), policy-diff-types.ts (types, RISK_RULES).
 */
import { diffResourceFields } from "./policy-diff-fields.ts";
import { diffPeople } from "./policy-diff-people.ts";
import { resourceRisks } from "./policy-diff-risks.ts";
import type { PolicyDiff, PolicySide, ResourceDiff } from "./policy-diff-types.ts";

export type {
  ChangeKind,
  DiffResource,
  FieldChange,
  JsonValue,
  PersonDiff,
  PolicyDiff,
  PolicySide,
  ResourceDiff,
  RiskCode,
  RiskFlag,
} from "./policy-diff-types.ts";
export { RISK_RULES } from "./policy-diff-types.ts";

/** A side with no catalog and no people (a ref where the files do not exist yet). */
export const EMPTY_POLICY: PolicySide = Object.freeze({ catalog: { resources: {} }, people: { people: [] } });

/**
 * The diff from `before` to `after`. Resources are sorted by id and listed when added, removed,
 * changed, or affected by a people.yaml change (an approver resolving to someone else, an
 * approver becoming eligible); unchanged ones are left out.
 */
export function diffPolicies(before: PolicySide, after: PolicySide): PolicyDiff {
  const resB = before.catalog.resources;
  const resA = after.catalog.resources;
  const peopleB = before.people.people;
  const peopleA = after.people.people;
  const ids = [...new Set([...Object.keys(resB), ...Object.keys(resA)])].sort();
  const resources: ResourceDiff[] = [];
  for (const id of ids) {
    const b = Object.hasOwn(resB, id) ? resB[id] : undefined;
    const a = Object.hasOwn(resA, id) ? resA[id] : undefined;
    const fields = diffResourceFields(b, a, peopleB, peopleA);
    const risks = resourceRisks(id, b, a, peopleB, peopleA);
    if (b && a && fields.length === 0 && risks.length === 0) continue;
    resources.push({ id, change: !b ? "added" : !a ? "removed" : "changed", fields, risks });
  }
  const people = diffPeople(peopleB, peopleA, resA);
  const risks = resources.reduce((n, r) => n + r.risks.length, 0) + people.reduce((n, p) => n + p.risks.length, 0);
  return { resources, people, risks };
}
