/**
 * When each standing member of a resource is due for review (issue 15). Pure: `now` is passed in.
 *
 * A member's `review_after` is a calendar date (UTC). Its **deadline** is the start of that day;
 * the review PR is due from `deadline - notice`; from the deadline on, the member is **overdue**.
 * A member written as a plain email in a resource with a `review` policy has never been reviewed:
 * due at once, but with no deadline (never overdue, so never revoked for a missed review) until a
 * review gives them a date. A resource without `review` has no reviews at all.
 *
 * `holds`: dates grantbot keeps a member to whatever the catalog now says — the date listed in a
 * review PR that was merged but rejected (its moved dates were not certified), until a later review
 * of that member is certified. The earlier of the catalog's date and the held one applies.
 */
import { parseDuration } from "./durations.ts";
import type { Catalog, CatalogResource, ReviewPolicy, StandingMemberEntry } from "./grant-files.ts";

export const DAY_MS = 86_400_000;

export interface StandingMember {
  email: string;
  /** `YYYY-MM-DD`, or null for a plain email entry. */
  reviewAfter: string | null;
}

export type ReviewStatus = "current" | "due" | "overdue";

export interface MemberSchedule extends StandingMember {
  /** The date that applies: the catalog's, or an earlier held one. */
  effective: string | null;
  /** Epoch ms of the deadline (start of `effective`), null without a date. */
  deadline: number | null;
  /** Epoch ms from which the member is listed in a review. */
  dueFrom: number;
  status: ReviewStatus;
}

/** `resource\u0000email` -> held date. */
export type Holds = ReadonlyMap<string, string>;

export function holdKey(resource: string, email: string): string {
  return `${resource}\u0000${email}`;
}

export function memberOf(entry: StandingMemberEntry): StandingMember {
  return typeof entry === "string" ? { email: entry, reviewAfter: null } : { email: entry.email, reviewAfter: entry.review_after };
}

export function standingMembersOf(resource: Pick<CatalogResource, "standing_members">): StandingMember[] {
  return resource.standing_members.map(memberOf);
}

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` date. */
export function dateMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** The UTC date of an instant, `YYYY-MM-DD`. */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function ms(duration: string): number {
  const parsed = parseDuration(duration);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ms;
}

/** Whole days of the policy's `every` (the schema requires whole days). */
export function everyMs(policy: ReviewPolicy): number {
  return Math.max(DAY_MS, Math.floor(ms(policy.every) / DAY_MS) * DAY_MS);
}

export function noticeMs(policy: ReviewPolicy): number {
  return ms(policy.notice);
}

function earlier(a: string | null, b: string | undefined): string | null {
  if (b === undefined) return a;
  if (a === null) return b;
  return b < a ? b : a;
}

/** Every standing member of a resource with its status at `now`; [] when the resource has no review policy. */
export function memberSchedules(resourceId: string, resource: CatalogResource, now: number, holds: Holds = new Map()): MemberSchedule[] {
  const policy = resource.review;
  if (!policy) return [];
  const notice = noticeMs(policy);
  return standingMembersOf(resource).map((m) => {
    const effective = earlier(m.reviewAfter, holds.get(holdKey(resourceId, m.email)));
    if (effective === null) return { ...m, effective, deadline: null, dueFrom: Number.NEGATIVE_INFINITY, status: "due" };
    const deadline = dateMs(effective);
    const dueFrom = deadline - notice;
    const status: ReviewStatus = now >= deadline ? "overdue" : now >= dueFrom ? "due" : "current";
    return { ...m, effective, deadline, dueFrom, status };
  });
}

/**
 * The review_after a certification writes: the member's date moved forward by `every`; when that
 * is already past (a late review), today + `every`. A never-reviewed member gets today + `every`.
 */
export function proposedReviewAfter(effective: string | null, policy: ReviewPolicy, now: number): string {
  const today = dateMs(dateOf(now));
  const step = everyMs(policy);
  const from = effective === null ? today : dateMs(effective) + step;
  return dateOf(from > today ? from : today + step);
}

/** The latest review_after a certification may write (a reviewer may shorten the period, never lengthen it). */
export function latestAllowedReviewAfter(effective: string | null, policy: ReviewPolicy, now: number): string {
  const today = dateMs(dateOf(now));
  const base = effective === null ? today : Math.max(dateMs(effective), today);
  return dateOf(base + everyMs(policy));
}

/**
 * Whether a standing member still counts as desired in the resource's groups: everyone listed,
 * except members overdue on a resource whose review says `on_missed: revoke`.
 */
export function isStandingDesired(resourceId: string, resource: CatalogResource, email: string, now: number, holds: Holds = new Map()): boolean {
  if (resource.review?.on_missed !== "revoke") return true;
  const schedule = memberSchedules(resourceId, resource, now, holds).find((m) => m.email === email);
  return schedule?.status !== "overdue";
}

/** Per resource with a review policy: its members' schedules. */
export function catalogSchedules(catalog: Catalog, now: number, holds: Holds = new Map()): Map<string, MemberSchedule[]> {
  const out = new Map<string, MemberSchedule[]>();
  for (const [id, resource] of Object.entries(catalog.resources)) {
    if (resource.review) out.set(id, memberSchedules(id, resource, now, holds));
  }
  return out;
}
