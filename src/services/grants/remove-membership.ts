/**
 * Job: remove one SCIM membership of an ended grant, unless another live grant of the same
 * subject still covers that group (overlapping grants and extensions keep access without a gap).
 * When the grant's last removal is done, the requester's "ended" DM and the PR comment go out.
 * Jobs due together run as a batch (see removeMemberships); the lone job is a batch of one.
 */
import type { Grant } from "../../domain/grant.ts";
import { standingCoverage, type StandingCoverage, type StandingCoverageDeps } from "../policy/standing-coverage.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { JobPayload } from "../jobs/kinds.ts";
import { lockKeys, payloadOf } from "../jobs/enqueue.ts";
import { endComment, KEPT_FOR_STANDING } from "../../domain/pr-texts.ts";
import type { ServiceDeps } from "../deps.ts";
import type { BatchFailures } from "../jobs/runner.ts";
import type { Job, JobSpec } from "../ports/index.ts";
import { JOB } from "../jobs/kinds.ts";
import { noteJob, prCommentJob } from "../messages/outbox.ts";
import { ensureNotMembers } from "../targets/membership.ts";
import { groupCommit } from "../../shared/group-commit.ts";

/**
 * Another grant of the same subject that keeps this membership: only an ACTIVE grant whose
 * recorded access includes the group. An approved grant (an extension not yet activated) does not
 * count: it adds the membership itself when it activates, and if it is ended first, nothing would
 * ever remove what this one kept. `active`: the subject's active grants.
 */
function coveringGrant(active: readonly Grant[], grantId: string, target: string, group: string): string | null {
  for (const other of active) {
    if (other.id === grantId || !other.access) continue;
    if (other.access.target === target && other.access.groups.includes(group)) return other.id;
  }
  return null;
}

interface Removal {
  job: Job;
  grantId: string;
  subject: string;
  target: string;
  group: string;
  reason: JobPayload<"scim_remove">["reason"];
}

/** A membership of an ended grant found absent (removed, verified) or kept for a reason. */
interface Settled {
  group: string;
  keptBy: string | null;
}

/** A removal's verified outcome, to record. */
type Recorded = Removal & Settled & { outcome: string };

/** The removal jobs of a grant still queued or running (its memberships not yet verified absent). */
export function pendingRemovals(deps: Pick<ServiceDeps, "jobs">, grantId: string): Promise<Job[]> {
  return deps.jobs.pendingOf(JOB.scimRemove, grantId);
}

function removalOf(job: Job): Removal {
  const p = payloadOf(JOB.scimRemove, job);
  return { job, grantId: p.grantId, subject: p.subject, target: p.target, group: p.group, reason: p.reason };
}

type RemoveMembershipsDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "metrics" | "targets" | "tx" | "wake"> & StandingCoverageDeps;

/**
 * Removes the memberships of several jobs: covered ones are kept, the rest go through
 * ensureNotMembers per (target, group) — one read, one PATCH, one read-back per group — and each
 * group's results are recorded as soon as that group is done. The batch's grants and the
 * subjects' active grants are read once for the whole batch (set-based: a handful of queries for
 * hundreds of removals). `settled` collects the jobs done so far, so a grant whose groups finish
 * in the same batch still gets its "ended" messages.
 */
async function removeMemberships(deps: RemoveMembershipsDeps, jobs: Job[], onTargetOk: (target: string) => void): Promise<BatchFailures> {
  const failures: BatchFailures = new Map();
  const settled = new Map<number, Removal & Settled>();
  const items: Removal[] = [];
  for (const job of jobs) {
    try {
      items.push(removalOf(job));
    } catch (err) {
      failures.set(job.id, err);
    }
  }
  let grants: Map<string, Grant>;
  let activeOf: Map<string, Grant[]>;
  try {
    grants = new Map((await deps.grants.getMany([...new Set(items.map((i) => i.grantId))])).map((g) => [g.id, g]));
    activeOf = new Map();
    for (const g of await deps.grants.listBySubjects([...new Set(items.map((i) => i.subject))], ["active"])) activeOf.set(g.subject, [...(activeOf.get(g.subject) ?? []), g]);
  } catch (err) {
    for (const item of items) failures.set(item.job.id, err);
    return failures;
  }
  // Each group's outcomes are recorded as soon as it is done; groups finishing while a recording
  // commits are recorded together by the next one (one commit and one turn at the audit chain's
  // lock for several groups, not one each).
  const record = groupCommit<Recorded>(async (done) => {
    const now = deps.clock.now();
    try {
      await deps.tx.transaction(async () => {
        for (const r of done) settled.set(r.job.id, r);
        await finishIfLast(deps, done, grants, settled, now);
        for (const r of done) {
          await deps.audit.append({
            at: now,
            actor: "grantbot",
            action: r.keptBy ? "scim.member_kept" : "scim.member_removed",
            grantId: r.grantId,
            data: { target: r.target, group: r.group, subject: r.subject, outcome: r.outcome, verified: true, ...(r.keptBy ? { coveredBy: r.keptBy } : {}) },
          });
        }
      });
    } catch (err) {
      for (const r of done) settled.delete(r.job.id);
      throw err;
    }
    for (const r of done) {
      const grant = grants.get(r.grantId);
      if (r.reason === "expired" && grant?.expiresAt) deps.metrics.expiryLag(now - grant.expiresAt);
    }
  });
  // Standing members: a revocation does not wait on GitHub. Who the catalog already loaded lists
  // is checked first; only a membership it lists is checked against the current catalog and the
  // directory (so one just taken out of the catalog is not kept on an old copy). Were a person
  // made a standing member since, removing is the safe mistake (reconciliation restores it).
  const listed = await standingCoverage(deps, { listedOnly: true });
  let current: StandingCoverage | null = null;
  const standing = async (item: Removal) => listed(item.target, item.group, item.subject) && (current ??= await standingCoverage(deps))(item.target, item.group, item.subject);
  const byGroup = new Map<string, { item: Removal; keptBy: string | null }[]>();
  for (const item of items) {
    const keptBy = coveringGrant(activeOf.get(item.subject) ?? [], item.grantId, item.target, item.group) ?? ((await standing(item)) ? KEPT_FOR_STANDING : null);
    const key = `${item.target}\u0000${item.group}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), { item, keptBy }]);
  }
  await Promise.all(
    [...byGroup.values()].map(async (list) => {
      const { target, group } = list[0]!.item;
      const toRemove = list.filter((x) => !x.keptBy);
      const outcomes = new Map<number, string>(list.filter((x) => x.keptBy).map((x) => [x.item.job.id, "kept"]));
      try {
        const results = await ensureNotMembers(
          deps.targets.get(target),
          group,
          toRemove.map(({ item }) => ({ email: item.subject, userId: grants.get(item.grantId)?.access?.userId ?? null })),
          // A first attempt goes straight to the PATCH; a retry (maybe after a crash mid-PATCH)
          // reads first, so a removal that already happened is not sent again.
          { checkFirst: toRemove.some(({ item }) => item.job.attempts > 1) },
        );
        results.forEach((r, i) => {
          const id = toRemove[i]!.item.job.id;
          if (r instanceof Error) failures.set(id, r);
          else outcomes.set(id, r);
        });
        if (toRemove.length > 0 && results.some((r) => !(r instanceof Error))) onTargetOk(target);
      } catch (err) {
        for (const { item } of toRemove) failures.set(item.job.id, err);
      }
      const done = list.filter((x) => outcomes.has(x.item.job.id));
      if (done.length === 0) return;
      try {
        await record(done.map(({ item, keptBy }) => ({ ...item, keptBy, outcome: outcomes.get(item.job.id)! })));
      } catch (err) {
        for (const { item } of done) failures.set(item.job.id, err);
      }
    }),
  );
  deps.wake();
  return failures;
}

type FinishIfLastDeps = Pick<ServiceDeps, "audit" | "jobs">;

/**
 * For each grant of `done` whose last pending removal this is: the "ended" DM and PR comment,
 * listing every membership's outcome. One query for the pending removals of all of them; the
 * audit log is read only for a grant with several groups (outcomes recorded by earlier batches),
 * before this transaction appends its own rows. Call in a transaction.
 */
async function finishIfLast(deps: FinishIfLastDeps, done: readonly Removal[], grants: ReadonlyMap<string, Grant>, settled: ReadonlyMap<number, Removal & Settled>, now: number): Promise<void> {
  const ids = [...new Set(done.map((item) => item.grantId))].filter((id) => grants.has(id));
  if (ids.length === 0) return;
  const pending = new Set((await deps.jobs.pendingOfGrants(JOB.scimRemove, ids)).filter((j) => !settled.has(j.id)).map((j) => j.payload.grantId));
  const jobs: JobSpec[] = [];
  for (const id of ids) {
    if (pending.has(id)) continue;
    const grant = grants.get(id)!;
    const item = done.find((d) => d.grantId === id)!;
    const removed = new Map<string, { group: string; verified: true; keptBy?: string }>();
    if ((grant.access?.groups.length ?? 0) > 1) {
      for (const r of await deps.audit.forGrant(id)) {
        if (r.action !== "scim.member_removed" && r.action !== "scim.member_kept") continue;
        const group = String(r.data?.group);
        removed.set(group, { group, verified: true, ...(r.action === "scim.member_kept" ? { keptBy: String(r.data?.coveredBy) } : {}) });
      }
    }
    for (const s of settled.values()) {
      if (s.grantId === id) removed.set(s.group, { group: s.group, verified: true, ...(s.keptBy ? { keptBy: s.keptBy } : {}) });
    }
    const reason = String(item.reason ?? grant.state);
    jobs.push(noteJob(grant, "ended", { reason }));
    const comment = prCommentJob(grant, "ended", endComment({ reason, at: grant.endedAt ?? now, removed: [...removed.values()] }));
    if (comment) jobs.push(comment);
  }
  await deps.jobs.enqueueMany(jobs);
}

export type RemoveMembershipHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "metrics" | "notifier" | "targets" | "tx" | "wake"> & StandingCoverageDeps;

export function removeMembershipHandler(deps: RemoveMembershipHandlerDeps): KindHandler<"scim_remove"> {
  // Targets an alert went out for and that have not had a successful removal since: a target that
  // is down for minutes gets ONE alert, not one per grant (nor one per retry).
  const alerted = new Set<string>();
  const recovered = (target: string) => alerted.delete(target);
  return {
    maxAttempts: null,
    alertAfterAttempts: 3,
    async onAlert(payload, error, attempts) {
      const target = payload.target;
      if (alerted.has(target)) return;
      alerted.add(target);
      await deps.notifier.ops({
        kind: "ops_alert",
        title: "Revocation is being retried",
        detail: `Removing ${payload.subject} from "${payload.group}" in ${target} keeps failing (attempt ${attempts}): ${error}. grantbot keeps retrying every revocation in ${target} with backoff; no further alert until one succeeds.`,
        grantId: payload.grantId,
      });
    },
    async run(_payload, { job }) {
      const failures = await removeMemberships(deps, [job], recovered);
      if (failures.has(job.id)) throw failures.get(job.id);
    },
    // Removals due together (many grants expiring in the same second) share reads and PATCHes per
    // group; one batch per SCIM target at a time, so a target that is down holds up no other.
    batch: {
      size: 500,
      key: (job) => lockKeys.scimTarget(payloadOf(JOB.scimRemove, job).target),
      run: (jobs) => removeMemberships(deps, jobs, recovered),
    },
  };
}
