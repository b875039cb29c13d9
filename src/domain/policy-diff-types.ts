/**
 * Types and small value helpers of the policy diff (policy-diff.ts). Pure.
 *
 * The inputs are the parsed catalog and people files. Resources are typed loosely on purpose for
 * the keys the schema may not know yet (`breakglass`, `review`, standing members written as
 * `{ email, review_after }`): a diff of a policy written for a newer grantbot still shows them.
 */
import { parseDuration } from "./durations.ts";
import type { CatalogResource, Person } from "./grant-files.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A standing member as PRODUCT.md writes it: an email, or an entry with its next review date. */
export type StandingMemberInput = string | { email: string; review_after?: unknown };

/** One resource of either side. Keys beyond those below are compared as opaque values. */
export type DiffResource = Omit<CatalogResource, "standing_members" | "review" | "breakglass"> & {
  standing_members: readonly StandingMemberInput[];
  breakglass?: unknown;
  review?: unknown;
};

/** One side of the diff: the catalog and the identity map at a ref (empty when a file is absent). */
export interface PolicySide {
  catalog: { resources: Readonly<Record<string, DiffResource>> };
  people: { people: readonly Person[] };
}

export interface FieldChange {
  /** Dotted catalog key (`duration.max`) or people key (`github`); derived keys are documented where made. */
  field: string;
  /** null = absent on that side. */
  before: JsonValue;
  after: JsonValue;
  /** For list-valued fields: the items only in `after` / only in `before`. */
  added?: JsonValue[];
  removed?: JsonValue[];
}

export interface RiskFlag {
  code: RiskCode;
  message: string;
}

export type ChangeKind = "added" | "removed" | "changed";

export interface ResourceDiff {
  id: string;
  change: ChangeKind;
  fields: FieldChange[];
  risks: RiskFlag[];
}

export interface PersonDiff {
  /** The people.yaml entry's email (entries are matched by email). */
  email: string;
  change: ChangeKind;
  fields: FieldChange[];
  /** True when a GitHub login or Slack id now maps to this person instead of someone else. */
  sensitive: boolean;
  risks: RiskFlag[];
}

export interface PolicyDiff {
  resources: ResourceDiff[];
  people: PersonDiff[];
  /** Number of risk flags, resources and people together. */
  risks: number;
}

/** Every risk flag code, with the rule that raises it (README and the CLI help list the same). */
export const RISK_RULES = {
  resource_added: "a new resource can be requested",
  max_duration_up: "duration.max goes up",
  approvers_fewer: "approvers.min goes down",
  approver_added: "an approver user or team is added",
  approver_remap: "a listed approver login now resolves (people.yaml) to a different person",
  approver_now_counts: "a listed approver login that did not resolve through people.yaml now does, so their approvals count",
  approver_can_request: "an approver user (resolved through people.yaml) can now also request the resource: anyone may, or their people.yaml groups meet eligible",
  eligibility_widened: "eligible is removed (anyone may request) or gains a group",
  groups_added: "the resource gains a SCIM group",
  target_changed: "scim.target changes",
  scopes_added: "the credential gains a scope",
  audience_changed: "the credential's audience changes or a credential is added",
  enforce_off: "enforce goes from true to false (drift is no longer repaired)",
  standing_member_added: "a standing member is added (access without a grant)",
  standing_review_postponed: "a standing member's review_after moves later or is dropped",
  breakglass_added: "break-glass access is allowed where it was not",
  breakglass_widened: "breakglass.max or breakglass.review_within goes up",
  review_weakened: "the periodic access review is removed, less frequent, or no longer revokes",
  reason_not_required: "reason_required goes from true to false",
  identity_remap: "a GitHub login or Slack id now maps to another email (sensitive)",
  person_groups_added: "a person gains people.yaml groups that make them eligible for more resources",
} as const;
export type RiskCode = keyof typeof RISK_RULES;

/** JSON with object keys sorted: equal values give equal strings whatever the key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(toJson(value));
}

/** Any parsed YAML value as plain JSON (keys sorted; Dates as ISO text; undefined as null). */
export function toJson(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().replace(/T00:00:00\.000Z$/, "");
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value).sort()) out[key] = toJson((value as Record<string, unknown>)[key]);
    return out;
  }
  return String(value);
}

/** Items of `after` not in `before` and the other way round, compared as stable JSON. */
export function listDelta(before: readonly JsonValue[], after: readonly JsonValue[]): { added: JsonValue[]; removed: JsonValue[] } {
  const b = new Set(before.map(stableJson));
  const a = new Set(after.map(stableJson));
  return { added: after.filter((x) => !b.has(stableJson(x))), removed: before.filter((x) => !a.has(stableJson(x))) };
}

/** Milliseconds of a duration text, or null when it is absent or not a duration. */
export function durationOf(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const parsed = parseDuration(value);
  return parsed.ok ? parsed.ms : null;
}

/** The field of an opaque object (`breakglass.max`), or undefined. */
export function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

export function lower(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((v) => v.toLowerCase()))].sort();
}

/** "a, b and c" for sentences. */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
