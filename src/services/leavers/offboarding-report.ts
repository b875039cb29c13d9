/**
 * The state of an offboarding case, read from durable records only: each revoked grant's
 * memberships (audit rows `scim.member_removed|kept` = verified; a queued `scim_remove` job =
 * still being retried, with its last error), credentials revoked, cancelled requests, orphaned
 * service identities, and the manager from the last directory record.
 */
import type { OffboardingReport, ReportGrant, ReportGroup } from "../../domain/offboarding.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import { payloadOf } from "../jobs/enqueue.ts";
import { pendingRemovals } from "../grants/remove-membership.ts";
import type { OffboardingCase } from "../ports/index.ts";

const OUTCOME_WORDS: Record<string, string> = {
  removed: "removed",
  already_absent: "already absent",
  no_user: "no such user in the target",
  no_group: "group no longer exists in the target",
  kept: "kept",
};

type GroupRowsDeps = Pick<ServiceDeps, "audit" | "jobs">;

async function groupRows(deps: GroupRowsDeps, grantId: string, access: { target: string; groups: string[] } | null): Promise<ReportGroup[]> {
  const rows = new Map<string, ReportGroup>();
  const key = (target: string, group: string) => `${target}\u0000${group}`;
  for (const group of access?.groups ?? []) {
    rows.set(key(access!.target, group), { target: access!.target, group, verified: false, note: "no removal recorded yet" });
  }
  for (const job of await pendingRemovals(deps, grantId)) {
    const { target, group } = payloadOf(JOB.scimRemove, job);
    const note = job.lastError ? `still retrying (attempt ${job.attempts}): ${job.lastError}` : "removal in progress";
    rows.set(key(target, group), { target, group, verified: false, note });
  }
  for (const record of await deps.audit.forGrant(grantId)) {
    if (record.action !== "scim.member_removed" && record.action !== "scim.member_kept") continue;
    const target = String(record.data?.target);
    const group = String(record.data?.group);
    const outcome = String(record.data?.outcome ?? "removed");
    const current = rows.get(key(target, group));
    // A queued retry after an older verified row (re-revocation) is not verified yet.
    if (current && current.note !== "no removal recorded yet" && !current.verified) continue;
    if (record.action === "scim.member_kept") {
      // Kept for another grant: the membership is still there. Verified only once that grant's
      // own removal of the same group was read back.
      const by = String(record.data?.coveredBy ?? "");
      const gone = await removedLater(deps, by, target, group, record.seq);
      rows.set(key(target, group), { target, group, verified: gone, note: gone ? `removed with grant ${by}` : `kept for grant ${by}, still a member` });
      continue;
    }
    rows.set(key(target, group), { target, group, verified: true, note: OUTCOME_WORDS[outcome] ?? outcome });
  }
  return [...rows.values()];
}

type RemovedLaterDeps = Pick<ServiceDeps, "audit">;

/** Whether grant `grantId` recorded a verified removal of (target, group) after audit row `afterSeq`. */
async function removedLater(deps: RemovedLaterDeps, grantId: string, target: string, group: string, afterSeq: number): Promise<boolean> {
  if (grantId === "") return false;
  return (await deps.audit
    .forGrant(grantId))
    .some((r) => r.seq > afterSeq && r.action === "scim.member_removed" && String(r.data?.target) === target && String(r.data?.group) === group);
}

type ReportGrantDeps = Pick<ServiceDeps, "audit" | "credentials" | "grants" | "jobs">;

async function reportGrant(deps: ReportGrantDeps, grantId: string): Promise<ReportGrant | null> {
  const grant = await deps.grants.get(grantId);
  if (!grant) return null;
  const groups = await groupRows(deps, grantId, grant.access);
  if ((await deps.jobs.pendingOf(JOB.activate, grantId)).length > 0) {
    groups.push({ target: "?", group: "(activation in flight)", verified: false, note: "waiting for the activation to finish so it can be undone" });
  }
  return {
    grantId,
    resource: grant.resource,
    prUrl: grant.prUrl,
    wasActive: grant.activatedAt !== null,
    groups,
    credentialsRevoked: (await deps.credentials.forGrant(grantId)).filter((c) => c.revokedAt !== null).length,
  };
}

export type BuildReportDeps = Pick<ServiceDeps, "audit" | "credentials" | "grants" | "jobs" | "people">;

export async function buildReport(deps: BuildReportDeps, c: OffboardingCase): Promise<OffboardingReport> {
  const { people } = deps;
  const record = await people.get(c.email);
  const manager = record?.managerEmail ?? null;
  let managerProblem: string | null = null;
  if (!manager) {
    managerProblem = `the directory has no manager for ${c.email}`;
  } else {
    const boss = await people.get(manager);
    if (boss && (!boss.active || boss.removedAt !== null)) managerProblem = `their manager ${manager} has left too`;
  }
  const grants = (await Promise.all(c.revoked.map((id) => reportGrant(deps, id)))).filter((g): g is ReportGrant => g !== null);
  const cancelledRequests = (await Promise.all(c.cancelled.map(async (id) => {
    const g = await deps.grants.get(id);
    return g ? [{ grantId: g.id, resource: g.resource, prNumber: g.prNumber, prUrl: g.prUrl }] : [];
  }))).flat();
  const orphans = (await Promise.all(c.orphans.map(async (id) => {
    const g = await deps.grants.get(id);
    return g ? [{ grantId: g.id, resource: g.resource, subject: g.subject, state: g.state, expiresAt: g.expiresAt }] : [];
  }))).flat();
  return {
    caseId: c.id,
    person: { email: c.email, displayName: record?.displayName ?? null },
    cause: c.cause,
    startedAt: c.startedAt,
    manager,
    managerProblem,
    grants,
    cancelledRequests,
    orphans,
  };
}
