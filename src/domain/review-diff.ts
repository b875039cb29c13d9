/**
 * What a merged access-review PR may change (issue 15), compared structurally on the two parsed
 * catalogs — the one at the merge commit's first parent (the policy before the merge) and the
 * merged one — never on the text, so formatting and comments do not matter and nothing else can
 * hide in a "date change". Allowed: in the review's one resource, deleting standing members and
 * moving the review_after of members the review lists forward, at most one `every` from their
 * date (or from today when that is past). Anything else — another resource, another key of this
 * one, an added member, a date moved back, past the limit or of someone not listed — rejects the
 * review with the reason. The files the PR touches are checked here too (only the catalog). Pure.
 */
import type { Catalog, CatalogResource } from "./grant-files.ts";
import type { DiffFile } from "./merge-scope.ts";
import { latestAllowedReviewAfter, standingMembersOf } from "./review-schedule.ts";

export const CATALOG_PATH = "grants/catalog.yaml";

export interface ListedMember {
  email: string;
  /** The date the member was held to when the review was opened (null: never reviewed). */
  effective: string | null;
}

export interface ReviewChangeInput {
  before: Catalog;
  after: Catalog;
  resource: string;
  listed: readonly ListedMember[];
  /** When the PR was merged (limits how far a date may move). */
  now: number;
}

/** A listed member still standing after the merge, with the date before and after (equal: not moved, still due). */
export interface KeptMember {
  email: string;
  from: string | null;
  to: string | null;
}

export type ReviewChangeVerdict =
  | { ok: true; kept: KeptMember[]; removed: string[] }
  | { ok: false; reason: string };

/** Key order-insensitive equality of parsed YAML values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined).sort();
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined).sort();
  return sameValue(ka, kb) && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function otherKeys(resource: CatalogResource): Record<string, unknown> {
  const { standing_members: _members, ...rest } = resource;
  return rest;
}

function changedKeys(before: CatalogResource, after: CatalogResource): string[] {
  const a = otherKeys(before) as Record<string, unknown>;
  const b = otherKeys(after) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !sameValue(a[k], b[k])).sort();
}

export function checkReviewChange(input: ReviewChangeInput): ReviewChangeVerdict {
  const { before, after, resource } = input;
  const ids = [...new Set([...Object.keys(before.resources), ...Object.keys(after.resources)])].sort();
  for (const id of ids) {
    const a = Object.hasOwn(before.resources, id) ? before.resources[id] : undefined;
    const b = Object.hasOwn(after.resources, id) ? after.resources[id] : undefined;
    if (!a) return { ok: false, reason: `it adds the resource ${id}; an access review may only change ${resource}` };
    if (!b) return { ok: false, reason: `it removes the resource ${id}; an access review may only change standing members of ${resource}` };
    if (id !== resource) {
      if (!sameValue(a, b)) return { ok: false, reason: `it changes the resource ${id}; an access review may only change ${resource}` };
      continue;
    }
    const keys = changedKeys(a, b);
    if (keys.length > 0) return { ok: false, reason: `it changes ${keys.map((k) => `${resource}.${k}`).join(", ")}; an access review may only move review dates and delete standing members` };
  }
  const was = standingMembersOf(before.resources[resource]!);
  const now = standingMembersOf(after.resources[resource]!);
  const wasBy = new Map(was.map((m) => [m.email, m]));
  const added = now.filter((m) => !wasBy.has(m.email)).map((m) => m.email);
  if (added.length > 0) return { ok: false, reason: `it adds ${added.join(", ")} to the standing members of ${resource}; an access review may only remove people` };
  const listed = new Map(input.listed.map((m) => [m.email, m]));
  const policy = before.resources[resource]!.review;
  const kept: KeptMember[] = [];
  for (const m of now) {
    const old = wasBy.get(m.email)!;
    const entry = listed.get(m.email);
    if (entry) kept.push({ email: m.email, from: old.reviewAfter, to: m.reviewAfter });
    if (m.reviewAfter === old.reviewAfter) continue;
    if (!entry) return { ok: false, reason: `it changes the review date of ${m.email}, who is not listed in this review` };
    if (m.reviewAfter === null) return { ok: false, reason: `it removes the review date of ${m.email}` };
    if (old.reviewAfter !== null && m.reviewAfter < old.reviewAfter) return { ok: false, reason: `it moves the review date of ${m.email} back from ${old.reviewAfter} to ${m.reviewAfter}` };
    if (!policy) return { ok: false, reason: `${resource} has no review policy before the merge, so no review date can move` };
    const limit = latestAllowedReviewAfter(entry.effective, policy, input.now);
    if (m.reviewAfter > limit) return { ok: false, reason: `it moves the review date of ${m.email} to ${m.reviewAfter}, past ${limit} (one review period, ${policy.every})` };
  }
  const removed = was.filter((m) => !now.some((n) => n.email === m.email)).map((m) => m.email);
  return { ok: true, kept, removed };
}

/**
 * The same rules for the review's own resource only, from the catalog the PR's branch started at:
 * the first parent of a rebase-merged PR is one of the PR's own commits, so an earlier commit of the
 * PR (a date moved too far, an approver added) would not show in the first-parent diff. Other
 * resources may have changed on the base branch meanwhile and are taken from `after`.
 */
export function checkSinceOpened(input: Omit<ReviewChangeInput, "before"> & { atOpen: Catalog }): ReviewChangeVerdict {
  const { atOpen, after, resource } = input;
  const was = Object.hasOwn(atOpen.resources, resource) ? atOpen.resources[resource] : undefined;
  if (!was) return { ok: false, reason: `${resource} did not exist when the review was opened` };
  const verdict = checkReviewChange({ ...input, before: { resources: { ...after.resources, [resource]: was } } });
  return verdict.ok ? verdict : { ok: false, reason: `since the review was opened, ${verdict.reason}` };
}

const NAMED = 5;

/** A review PR (and its merge commit) may change exactly grants/catalog.yaml; null when it does, else why not. */
export function checkReviewFiles(prFiles: readonly DiffFile[], mergeFiles: readonly DiffFile[]): string | null {
  for (const [files, what] of [
    [prFiles, "the pull request"],
    [mergeFiles, "the merge commit"],
  ] as const) {
    const others = files.filter((f) => f.path !== CATALOG_PATH || f.status !== "modified" || f.previousPath !== undefined);
    if (others.length > 0) {
      const names = others.slice(0, NAMED).map((f) => `${f.path} (${f.status})`).join(", ");
      return `${what} changes files besides ${CATALOG_PATH}: ${names}${others.length > NAMED ? ` and ${others.length - NAMED} more` : ""}; an access review may change only the catalog`;
    }
    if (!files.some((f) => f.path === CATALOG_PATH)) return `${what} does not change ${CATALOG_PATH}`;
  }
  return null;
}
