/**
 * Use case: reconciliation (scheduled every `reconcileIntervalMs`, and `grantbot reconcile`).
 * For each group the catalog manages: desired = subjects of active grants covering it + the
 * resource's standing members (minus leavers and members overdue on a review that revokes); actual = the target's members (paged). Members whose change is
 * in flight (activation pending, removal queued) are tolerated either way. Drift is reported per
 * resource; with `enforce: true` on the resource (or `fix`) it is repaired through idempotent,
 * re-checking jobs. Groups the catalog does not manage are never read nor touched.
 */
import { compareMembers, driftFingerprint, driftSummary, hasDrift, type DriftEntry } from "../../domain/drift.ts";
import type { Catalog } from "../../domain/grant-files.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB } from "../jobs/kinds.ts";
import { payloadOf, enqueue, lockKeys } from "../jobs/enqueue.ts";
import { dayOf, queueOpsNotice } from "../messages/ops-notice.ts";
import { standingMembersOf } from "../../domain/review-schedule.ts";
import { standingFilter, type StandingFilter } from "../reviews/standing.ts";

export interface ReconcileOptions {
  /** Repair every managed group, not only `enforce: true` ones. */
  fix?: boolean;
  /** Alert the ops channel on drift (the scheduled run does; the CLI prints instead). */
  alert?: boolean;
}

export interface ReconcileResult {
  entries: DriftEntry[];
  drift: boolean;
  errors: number;
  repairsQueued: number;
}

export interface ManagedGroup {
  target: string;
  group: string;
  resources: string[];
  enforce: boolean;
  standing: Set<string>;
}

const keyOf = (target: string, group: string) => `${target}\u0000${group}`;

/**
 * Every group the catalog manages. `standing` decides which standing members count as desired
 * (services/reviews/standing.ts: not a leaver, not overdue on a review that revokes); without it,
 * every listed member does.
 */
export function managedGroups(catalog: Catalog, standing: StandingFilter = () => true): ManagedGroup[] {
  const groups = new Map<string, ManagedGroup>();
  for (const [id, resource] of Object.entries(catalog.resources)) {
    for (const group of resource.scim.groups) {
      const key = keyOf(resource.scim.target, group);
      const g = groups.get(key) ?? { target: resource.scim.target, group, resources: [], enforce: false, standing: new Set<string>() };
      g.resources.push(id);
      g.enforce ||= resource.enforce;
      for (const m of standingMembersOf(resource)) {
        const email = m.email.toLowerCase();
        if (standing(id, resource, email)) g.standing.add(email);
      }
      groups.set(key, g);
    }
  }
  return [...groups.values()];
}

export type JustificationDeps = Pick<ServiceDeps, "grants" | "jobs">;

/**
 * Who belongs in (`desired`) and who may be in or out of (`tolerated`) one group, from the
 * durable state right now. `excludeJobId`: a repair job looking at the state leaves itself out.
 */
export async function justification(deps: JustificationDeps, catalog: Catalog, managed: ManagedGroup, excludeJobId?: number): Promise<{ desired: Set<string>; tolerated: Set<string> }> {
  const desired = new Set(managed.standing);
  const tolerated = new Set<string>();
  const covers = (access: { target: string; groups: string[] } | null) => access !== null && access.target === managed.target && access.groups.includes(managed.group);
  const accessOf = (resourceId: string) => {
    const r = catalog.resources[resourceId];
    return r ? { target: r.scim.target, groups: r.scim.groups } : null;
  };
  for (const grant of await deps.grants.listByState(["active", "approved"], 1_000_000)) {
    if (!covers(grant.access ?? accessOf(grant.resource))) continue;
    if (grant.state === "active") desired.add(grant.subject);
    else tolerated.add(grant.subject);
  }
  for (const job of await deps.jobs.pendingOf(JOB.scimRemove)) {
    const p = payloadOf(JOB.scimRemove, job);
    if (job.id !== excludeJobId && p.target === managed.target && p.group === managed.group) tolerated.add(p.subject.toLowerCase());
  }
  // A standing member being removed (access review, missed deadline, leaver): in flight too.
  for (const job of await deps.jobs.pendingOf(JOB.standingRemove)) {
    const p = payloadOf(JOB.standingRemove, job);
    if (p.target === managed.target && p.groups.includes(managed.group)) tolerated.add(p.email.toLowerCase());
  }
  for (const kind of [JOB.reconcileAdd, JOB.reconcileRemove] as const) {
    for (const job of await deps.jobs.pendingOf(kind)) {
      const p = payloadOf(kind, job);
      if (job.id !== excludeJobId && p.target === managed.target && p.group === managed.group) tolerated.add(p.email.toLowerCase());
    }
  }
  return { desired, tolerated };
}

type QueueRepairsDeps = Pick<ServiceDeps, "jobs" | "tx">;

async function queueRepairs(deps: QueueRepairsDeps, managed: ManagedGroup, missing: string[], unexpected: string[], runId: string): Promise<number> {
  let queued = 0;
  await deps.tx.transaction(async () => {
    for (const [kind, emails] of [[JOB.reconcileAdd, missing], [JOB.reconcileRemove, unexpected]] as const) {
      for (const email of emails) {
        const id = await enqueue(deps.jobs, kind, { target: managed.target, group: managed.group, email, runId }, { dedupeKey: `${kind}:${managed.target}:${managed.group}:${email}:${runId}`, lockKey: lockKeys.scimUser(managed.target, email), maxAttempts: 20 });
        if (id !== null) queued++;
      }
    }
  });
  return queued;
}

export type ReconcileGroupsDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "ids" | "jobs" | "people" | "policy" | "reviews" | "targets" | "tx" | "wake">;

export async function reconcileGroups(deps: ReconcileGroupsDeps, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const { catalog } = await deps.policy.current();
  const runId = deps.ids.next();
  const entries: DriftEntry[] = [];
  let repairsQueued = 0;
  let errors = 0;
  for (const managed of managedGroups(catalog, await standingFilter(deps, catalog))) {
    const repair = Boolean(options.fix) || managed.enforce;
    const add = (diff: { missing: string[]; unexpected: string[] }, error?: string) => {
      for (const resource of managed.resources) entries.push({ resource, target: managed.target, group: managed.group, ...diff, enforced: repair, ...(error ? { error } : {}) });
    };
    let actual: string[];
    try {
      const directory = deps.targets.get(managed.target);
      const group = await directory.findGroup(managed.group);
      if (!group) throw new Error(`group "${managed.group}" does not exist in SCIM target ${managed.target}`);
      actual = (await directory.listMembers(group.id)).map((m) => m.userName.toLowerCase());
    } catch (err) {
      errors++;
      add({ missing: [], unexpected: [] }, err instanceof Error ? err.message : String(err));
      continue;
    }
    const { desired, tolerated } = await justification(deps, catalog, managed);
    const diff = compareMembers(desired, tolerated, actual);
    add(diff);
    if (repair && (diff.missing.length || diff.unexpected.length)) repairsQueued += await queueRepairs(deps, managed, diff.missing, diff.unexpected, runId);
  }
  entries.sort((a, b) => a.resource.localeCompare(b.resource) || a.group.localeCompare(b.group));
  const drift = hasDrift(entries);
  const now = deps.clock.now();
  await deps.tx.transaction(async () => {
    await deps.audit.append({ at: now, actor: "grantbot", action: "reconcile.run", data: { runId, groups: entries.length, drift, errors, repairsQueued, fix: Boolean(options.fix) } });
  });
  if (options.alert && (drift || errors > 0)) {
    const failed = entries.filter((e) => e.error).map((e) => `• ${e.resource}: "${e.group}" in ${e.target} could not be read: ${e.error}`);
    const detail = [driftSummary(entries, true), ...failed].filter(Boolean).join("\n");
    await queueOpsNotice(deps, `drift:${dayOf(now)}:${driftFingerprint(entries)}:${errors}`, drift ? "Access drift found" : "Reconciliation could not read some groups", detail);
  }
  if (repairsQueued > 0) deps.wake();
  return { entries, drift, errors, repairsQueued };
}
