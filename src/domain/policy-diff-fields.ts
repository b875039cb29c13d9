/**
 * A resource's catalog entry as a flat list of comparable fields, and the field-by-field changes
 * between two versions of it. Approver users are expanded to people through people.yaml. Pure.
 */
import type { Person } from "./grant-files.ts";
import {
  durationOf,
  listDelta,
  stableJson,
  toJson,
  type DiffResource,
  type FieldChange,
  type JsonValue,
  type StandingMemberInput,
} from "./policy-diff-types.ts";

/** Keys compared field by field; any other key of a resource is compared as one opaque value. */
const KNOWN_KEYS = new Set([
  "description", "scim", "duration", "approvers", "eligible", "reason_required", "credential",
  "slack_channel", "enforce", "standing_members",
]);
const DURATION_FIELDS = new Set(["duration.default", "duration.min", "duration.max"]);
/** Fields whose value is a list (shown as items added and removed). */
export const LIST_FIELDS = new Set(["scim.groups", "approvers.teams", "approvers.users", "eligible", "credential.scopes", "standing_members"]);

/** GitHub login (lower case) -> the people.yaml entry it resolves to (the first one, as approvals do). */
export function loginIndex(people: readonly Person[]): Map<string, Person> {
  const index = new Map<string, Person>();
  for (const person of people) {
    const key = person.github.toLowerCase();
    if (!index.has(key)) index.set(key, person);
  }
  return index;
}

export interface StandingMember {
  email: string;
  review_after: string | null;
}

export function standingMembers(list: readonly StandingMemberInput[] | undefined): StandingMember[] {
  const out = (list ?? []).map((entry): StandingMember => {
    if (typeof entry === "string") return { email: entry.toLowerCase(), review_after: null };
    const review = toJson(entry.review_after);
    return { email: String(entry.email).toLowerCase(), review_after: review === null ? null : String(review) };
  });
  return out.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

function sorted(values: readonly string[] | undefined): string[] {
  return [...new Set(values ?? [])].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
}

/**
 * The comparable fields of one resource, in display order. Absent optional keys are null;
 * `eligible: null` means anyone may request. `approvers.users` items are `{ login, email }` with
 * the email people.yaml maps the login to (null: not listed, so their approvals do not count).
 */
export function resourceFields(resource: DiffResource, people: readonly Person[]): [string, JsonValue][] {
  const logins = loginIndex(people);
  const fields: [string, JsonValue][] = [
    ["description", resource.description ?? null],
    ["scim.target", resource.scim?.target ?? null],
    ["scim.groups", sorted(resource.scim?.groups)],
    ["duration.default", resource.duration?.default ?? null],
    ["duration.min", resource.duration?.min ?? null],
    ["duration.max", resource.duration?.max ?? null],
    ["approvers.teams", sorted(resource.approvers?.teams)],
    ["approvers.users", sorted(resource.approvers?.users).map((login) => ({ login, email: logins.get(login.toLowerCase())?.email ?? null }))],
    ["approvers.min", resource.approvers?.min ?? null],
    ["eligible", resource.eligible === undefined ? null : sorted(resource.eligible)],
    ["reason_required", resource.reason_required ?? null],
    ["credential.audience", resource.credential?.audience ?? null],
    ["credential.scopes", sorted(resource.credential?.scopes)],
    ["slack_channel", resource.slack_channel ?? null],
    ["enforce", resource.enforce ?? null],
    ["standing_members", standingMembers(resource.standing_members) as unknown as JsonValue],
  ];
  const extra = Object.keys(resource).filter((key) => !KNOWN_KEYS.has(key)).sort();
  for (const key of extra) fields.push([key, toJson((resource as Record<string, unknown>)[key])]);
  return fields;
}

/** True when a field holds nothing worth showing for an added or removed resource. */
function isEmpty(value: JsonValue): boolean {
  return value === null || (Array.isArray(value) && value.length === 0);
}

function sameValue(field: string, before: JsonValue, after: JsonValue): boolean {
  if (DURATION_FIELDS.has(field)) {
    const b = durationOf(before);
    const a = durationOf(after);
    if (b !== null && a !== null) return a === b;
  }
  return stableJson(before) === stableJson(after);
}

/**
 * Field changes between two versions of a resource (either may be absent: added or removed).
 * `peopleBefore`/`peopleAfter` resolve approver logins on each side, so a people.yaml remap of a
 * listed approver shows as that approver's entry changing.
 */
export function diffResourceFields(
  before: DiffResource | undefined,
  after: DiffResource | undefined,
  peopleBefore: readonly Person[],
  peopleAfter: readonly Person[],
): FieldChange[] {
  const b = new Map(before ? resourceFields(before, peopleBefore) : []);
  const a = new Map(after ? resourceFields(after, peopleAfter) : []);
  const order = [...new Set([...a.keys(), ...b.keys()])];
  const changes: FieldChange[] = [];
  for (const field of order) {
    const was = before ? (b.get(field) ?? null) : null;
    const now = after ? (a.get(field) ?? null) : null;
    if (before && after && sameValue(field, was, now)) continue;
    // An added or removed resource lists what it has; `eligible: null` (anyone) is worth showing.
    if (!before && isEmpty(now) && field !== "eligible") continue;
    if (!after && isEmpty(was) && field !== "eligible") continue;
    const change: FieldChange = { field, before: was, after: now };
    if (LIST_FIELDS.has(field) && before && after && Array.isArray(was) && Array.isArray(now)) Object.assign(change, listDelta(was, now));
    changes.push(change);
  }
  return changes;
}
