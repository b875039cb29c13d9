/**
 * Use of access, as grantbot can see it (issue 15): every introspection of an active credential
 * is a use of its grant (first use, last use, count). Shown to reviewers — on a new grant PR
 * ("alice has had 9 grants of prod-db-readonly in 30 days, 2 of them never used"), in access
 * reviews, `/access list` and the Home tab. What grantbot cannot see is said to be unknown, never
 * guessed: a grant without a credential (its use happens in the target), or a standing member
 * whose target reports no sign-in data. Pure.
 */

export interface GrantUsage {
  grantId: string;
  /** Epoch ms. */
  firstUse: number;
  lastUse: number;
  uses: number;
}

/** One past or present grant of the person and resource in question. */
export interface UsageGrant {
  id: string;
  activatedAt: number | null;
  endedAt: number | null;
  /** A credential was issued (its introspections are the uses grantbot sees). */
  hasCredential: boolean;
}

export interface UsageHistory {
  /** Grants activated within the window. */
  grants: number;
  /** Of those, grants with a credential. */
  withCredential: number;
  used: number;
  /** Ended grants with a credential that was never introspected. */
  neverUsed: number;
  uses: number;
  lastUse: number | null;
}

export const USAGE_WINDOW_MS = 30 * 86_400_000;

/** What the grants activated in [now - windowMs, now] show about use. */
export function usageHistory(grants: readonly UsageGrant[], usage: ReadonlyMap<string, GrantUsage>, now: number, windowMs = USAGE_WINDOW_MS): UsageHistory {
  const h: UsageHistory = { grants: 0, withCredential: 0, used: 0, neverUsed: 0, uses: 0, lastUse: null };
  for (const g of grants) {
    if (g.activatedAt === null || g.activatedAt < now - windowMs || g.activatedAt > now) continue;
    h.grants++;
    if (!g.hasCredential) continue;
    h.withCredential++;
    const u = usage.get(g.id);
    if (u && u.uses > 0) {
      h.used++;
      h.uses += u.uses;
      h.lastUse = Math.max(h.lastUse ?? 0, u.lastUse);
    } else if (g.endedAt !== null) {
      h.neverUsed++;
    }
  }
  return h;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The reviewers' hint on a new grant PR, or null when the person had no grant of the resource in
 * the window. Counts the request being reviewed out (it is not active yet).
 */
export function usageHint(subject: string, resource: string, h: UsageHistory, windowMs = USAGE_WINDOW_MS): string | null {
  if (h.grants === 0) return null;
  const days = Math.round(windowMs / 86_400_000);
  const head = `${subject} has had ${plural(h.grants, "grant")} of ${resource} in ${days} days`;
  if (h.withCredential === 0) return `${head}; none had a credential, so grantbot cannot tell whether they were used`;
  const never = h.neverUsed === 0 ? "none of them left unused" : `${h.neverUsed} of them never used`;
  const unknown = h.grants - h.withCredential;
  const tail = unknown > 0 ? ` (${unknown} without a credential: use unknown)` : "";
  return `${head}, ${never}${tail}; ${plural(h.uses, "credential check")} in all`;
}

/** "UTC 2026-11-22 10:00". */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** One grant's use in a line: "used 12 times, first … last …", "not used yet", or why it is unknown. */
export function describeGrantUse(u: GrantUsage | null | undefined, hasCredential: boolean): string {
  if (!hasCredential) return "use unknown (no credential: used directly in the target)";
  if (!u || u.uses === 0) return "not used yet (its credential was never checked)";
  return `used ${plural(u.uses, "time")}, first ${utcMinute(u.firstUse)}, last ${utcMinute(u.lastUse)}`;
}
