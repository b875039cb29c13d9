/**
 * Job: remove one SCIM membership of an ended grant, unless another live grant of the same
 * subject still covers that group (overlapping grants and extensions keep access without a gap).
 * When the grant's last removal is done, the requester's "ended" DM and the PR comment go out.
 */
import { endComment } from "../domain/pr-texts.ts";
import type { ServiceDeps } from "./deps.ts";
import type { JobHandler } from "./job-runner.ts";
import { JOB } from "./job-kinds.ts";
import { queueNote, queuePrComment } from "./outbox.ts";
import { ensureNotMember } from "./scim-membership.ts";

async function coveringGrant(deps: ServiceDeps, grantId: string, subject: string, target: string, group: string): Promise<string | null> {
  const others = deps.grants.listBySubject(subject, ["approved", "active"]).filter((g) => g.id !== grantId);
  if (others.length === 0) return null;
  const { catalog } = await deps.policy.current();
  for (const other of others) {
    const access = other.access ?? (catalog.resources[other.resource] ? { target: catalog.resources[other.resource]!.scim.target, groups: catalog.resources[other.resource]!.scim.groups } : null);
    if (access && access.target === target && access.groups.includes(group)) return other.id;
  }
  return null;
}

export function removeMembershipHandler(deps: ServiceDeps): JobHandler {
  return {
    maxAttempts: null,
    alertAfterAttempts: 3,
    async onAlert(payload, error, attempts) {
      await deps.notifier.ops({
        kind: "ops_alert",
        title: "Revocation is being retried",
        detail: `Removing ${String(payload.subject)} from "${String(payload.group)}" in ${String(payload.target)} keeps failing (attempt ${attempts}): ${error}. grantbot keeps retrying with backoff.`,
        grantId: String(payload.grantId),
      });
    },
    async run(payload, { job }) {
      const grantId = String(payload.grantId);
      const subject = String(payload.subject);
      const target = String(payload.target);
      const group = String(payload.group);
      const keptBy = await coveringGrant(deps, grantId, subject, target, group);
      let outcome: string;
      if (keptBy) {
        outcome = "kept";
      } else {
        outcome = await ensureNotMember(deps.targets.get(target), subject, group);
      }
      const now = deps.clock.now();
      const grant = deps.grants.get(grantId);
      deps.tx.transaction(() => {
        deps.audit.append({
          at: now,
          actor: "grantbot",
          action: keptBy ? "scim.member_kept" : "scim.member_removed",
          grantId,
          data: { target, group, subject, outcome, verified: true, ...(keptBy ? { coveredBy: keptBy } : {}) },
        });
        const others = deps.jobs.pending(`${JOB.scimRemove}:${grantId}:`).filter((j) => j.id !== job.id);
        if (others.length === 0 && grant) {
          const removed = deps.audit
            .forGrant(grantId)
            .filter((r) => r.action === "scim.member_removed" || r.action === "scim.member_kept")
            .map((r) => ({ group: String(r.data?.group), verified: true, ...(r.action === "scim.member_kept" ? { keptBy: String(r.data?.coveredBy) } : {}) }));
          queueNote(deps, grant, "ended", { reason: String(payload.reason ?? grant.state) });
          queuePrComment(deps, grant, "ended", endComment({ reason: String(payload.reason ?? grant.state), at: grant.endedAt ?? now, removed }));
        }
      });
      if (payload.reason === "expired" && grant?.expiresAt) deps.metrics.expiryLag(now - grant.expiresAt);
      deps.wake();
    },
  };
}
