/**
 * The grants part of the evidence report: which grants belong to the period, one row each, the
 * approval/access/expiry timings, late expiries and the timeline. Pure.
 */
import { isEmergencyGrant } from "./breakglass.ts";
import type { GrantTrail } from "./evidence-audit.ts";
import { inPeriod, overlapsPeriod } from "./evidence-period.ts";
import { statOf } from "./evidence-stats.ts";
import type { EvidenceSummary, GrantRow, LateExpiry, Period, TimelineBar } from "./evidence-types.ts";
import { isTerminal, type Grant } from "./grant.ts";

/** A removal verified within this of the expiry second is on time (PRODUCT.md: p99 < 1 s). */
export const LATE_EXPIRY_MS = 1_000;
/** Most (resource, person) lanes the timeline draws; the grants table lists every grant. */
export const MAX_TIMELINE_LANES = 60;

/** When the grant stopped giving (or asking for) access; null while it is pending or live. */
export function grantEnd(grant: Grant): number | null {
  if (grant.endedAt !== null) return grant.endedAt;
  return isTerminal(grant.state) ? grant.updatedAt : null;
}

/** Grants whose life (request to end) overlaps the period. */
export function grantsInPeriod(grants: readonly Grant[], period: Period): Grant[] {
  return grants.filter((g) => overlapsPeriod(period, g.requestedAt, grantEnd(g)));
}

/** A break-glass grant: on a `breakglass/<id>` branch, or announced by `breakglass.activated`. */
export function isEmergency(grant: Grant, trail: GrantTrail | undefined): boolean {
  return Boolean(trail?.emergency) || isEmergencyGrant(grant);
}

export type ApproverNamer = (approver: { login: string; email: string | null }) => string;

export function mergedAtOf(grant: Grant, trail: GrantTrail | undefined): number | null {
  return trail?.mergedAt ?? trail?.approvedAt ?? grant.approvedAt;
}

export function grantRow(grant: Grant, trail: GrantTrail | undefined, nameApprover: ApproverNamer): GrantRow {
  const recorded = trail?.approvers.length ? trail.approvers : grant.approvedBy.map((login) => ({ login, email: null }));
  const groups = grant.access?.groups.length ?? 0;
  return {
    id: grant.id,
    resource: grant.resource,
    subject: grant.subject,
    requester: grant.requester,
    reason: grant.reason,
    state: grant.state,
    emergency: isEmergency(grant, trail),
    extends: grant.extends,
    prUrl: grant.prUrl,
    approvers: recorded.map(nameApprover),
    requestedAt: grant.requestedAt,
    mergedAt: mergedAtOf(grant, trail),
    activatedAt: grant.activatedAt,
    expiresAt: grant.expiresAt,
    endedAt: grant.endedAt,
    endReason: grant.endReason,
    removalVerifiedAt: trail && groups > 0 && trail.removals >= groups ? trail.lastRemovalAt : null,
  };
}

/** The lag of an expiry in the period: expiry second -> removal verified and credential inactive. */
export function expiryLag(grant: Grant, trail: GrantTrail | undefined, now: number): LateExpiry | null {
  if (grant.expiresAt === null || !(grant.endReason ?? "").startsWith("expired")) return null;
  const groups = grant.access?.groups.length ?? 0;
  const ended = grant.endedAt ?? grant.expiresAt + (trail?.endLateByMs ?? 0);
  const base = { grantId: grant.id, resource: grant.resource, subject: grant.subject, expiresAt: grant.expiresAt };
  if (groups === 0) return { ...base, removalVerifiedAt: null, lagMs: ended - grant.expiresAt, verified: true };
  if (!trail || trail.removals < groups || trail.lastRemovalAt === null) return { ...base, removalVerifiedAt: null, lagMs: now - grant.expiresAt, verified: false };
  const done = Math.max(trail.lastRemovalAt, ended);
  return { ...base, removalVerifiedAt: trail.lastRemovalAt, lagMs: done - grant.expiresAt, verified: true };
}

export type GrantFigures = Pick<EvidenceSummary, "requested" | "approved" | "rejected" | "declined" | "activeNow" | "approvalTime" | "accessTime" | "expiryLag" | "lateExpiries"> & { expiryLags: number[] };

/**
 * `all`: every grant (for "active now"); `listed`: the period's grants. Counts are of events in
 * the period (requested, approved = merged and accepted, rejected at merge, declined); timings of
 * the period's approvals (request -> merge), activations (merge -> effective) and expiries.
 */
export function grantFigures(all: readonly Grant[], listed: readonly Grant[], trails: ReadonlyMap<string, GrantTrail>, period: Period, now: number): GrantFigures {
  const approval: number[] = [];
  const access: number[] = [];
  const lags: LateExpiry[] = [];
  let requested = 0;
  let approved = 0;
  let rejected = 0;
  let declined = 0;
  for (const grant of listed) {
    const trail = trails.get(grant.id);
    const merged = mergedAtOf(grant, trail);
    if (inPeriod(period, grant.requestedAt)) requested += 1;
    if (grant.state === "rejected" && inPeriod(period, grant.updatedAt)) rejected += 1;
    if (grant.state === "declined" && inPeriod(period, grant.updatedAt)) declined += 1;
    if (merged !== null && grant.approvedAt !== null && inPeriod(period, merged)) {
      approved += 1;
      approval.push(merged - grant.requestedAt);
    }
    if (merged !== null && grant.activatedAt !== null && inPeriod(period, grant.activatedAt)) access.push(grant.activatedAt - merged);
    if (inPeriod(period, grant.expiresAt)) {
      const lag = expiryLag(grant, trail, now);
      if (lag) lags.push(lag);
    }
  }
  const late = lags.filter((l) => !l.verified || l.lagMs > LATE_EXPIRY_MS).sort((a, b) => b.lagMs - a.lagMs);
  const verifiedLags = lags.filter((l) => l.verified).map((l) => l.lagMs);
  return {
    requested,
    approved,
    rejected,
    declined,
    activeNow: all.filter((g) => g.state === "active").length,
    approvalTime: statOf(approval),
    accessTime: statOf(access),
    expiryLag: statOf(verifiedLags),
    lateExpiries: late,
    expiryLags: verifiedLags,
  };
}

/** Who held what, when: one bar per activated grant, in (resource, person) lanes. */
export function timeline(listed: readonly Grant[], trails: ReadonlyMap<string, GrantTrail>, period: Period, now: number): { bars: TimelineBar[]; lanes: number; shownLanes: number } {
  const bars: TimelineBar[] = [];
  for (const grant of listed) {
    if (grant.activatedAt === null) continue;
    const stop = grant.endedAt ?? (grant.state === "active" ? Math.min(now, grant.expiresAt ?? now) : (grant.expiresAt ?? now));
    const start = Math.max(grant.activatedAt, period.from);
    const end = Math.min(stop, period.to);
    if (end < start) continue;
    bars.push({ grantId: grant.id, lane: `${grant.resource} · ${grant.subject}`, resource: grant.resource, subject: grant.subject, start, end, emergency: isEmergency(grant, trails.get(grant.id)) });
  }
  const latest = new Map<string, number>();
  for (const bar of bars) latest.set(bar.lane, Math.max(latest.get(bar.lane) ?? 0, bar.end));
  const shown = new Set([...latest.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_TIMELINE_LANES).map(([lane]) => lane));
  return {
    bars: bars.filter((b) => shown.has(b.lane)).sort((a, b) => a.lane.localeCompare(b.lane) || a.start - b.start),
    lanes: latest.size,
    shownLanes: shown.size,
  };
}
