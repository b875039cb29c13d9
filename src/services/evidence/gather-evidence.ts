/**
 * Use case: the evidence report (`grantbot evidence`). Reads grants, the audit log (once, in
 * order, plus its hash-chain check), offboarding cases, the catalog and people.yaml, every
 * managed group's live members and the directory, and builds the report model
 * (domain/evidence.ts). Read-only: nothing is changed or queued, not even an audit row, so
 * producing evidence does not alter what it reports on.
 */
import { AuditDigest } from "../../domain/evidence-audit.ts";
import { grantsInPeriod, isEmergency } from "../../domain/evidence-grants.ts";
import { buildEvidence } from "../../domain/evidence.ts";
import type { EvidenceReport, Period } from "../../domain/evidence-types.ts";
import { GRANT_STATES } from "../../domain/grant.ts";
import type { PeopleSource } from "../ports/index.ts";
import type { ServiceDeps } from "../deps.ts";
import type { Policy } from "../policy/policy-provider.ts";
import { compareGroups, directoryView, readLiveGroups } from "./compare-groups.ts";

export type GatherEvidenceDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "offboarding" | "people" | "policy" | "reviews" | "targets">;

export interface EvidenceOptions {
  period: Period;
  /** The live source-of-truth directory, when configured. */
  peopleSource?: PeopleSource | null;
}

export async function gatherEvidence(deps: GatherEvidenceDeps, options: EvidenceOptions): Promise<EvidenceReport> {
  const { period } = options;
  const notes: string[] = [];
  let policy: Policy | null = null;
  try {
    policy = await deps.policy.current();
  } catch (err) {
    notes.push(`The catalog and people.yaml could not be read (${err instanceof Error ? err.message : String(err)}): no group comparison, and approvers appear as GitHub logins.`);
  }
  // The targets and the directory are asked now; their answers arrive while the log is read.
  const liveRead = policy ? readLiveGroups(deps, policy.catalog) : Promise.resolve([]);
  const directoryRead = directoryView(deps, options.peopleSource ?? null);
  const all = await deps.grants.listByState(GRANT_STATES);
  const listed = grantsInPeriod(all, period);
  const active = all.filter((g) => g.state === "active" || g.state === "approved");
  const digest = new AuditDigest(period, new Set([...listed, ...active].map((g) => g.id)));
  for await (const record of deps.audit.all()) digest.add(record);
  const auditCheck = await deps.audit.verify();
  const [live, directory] = await Promise.all([liveRead, directoryRead]);
  if (directory.note) notes.push(directory.note);
  const groups = policy ? await compareGroups(deps, policy.catalog, live, active, (g) => isEmergency(g, digest.trails.get(g.id)), directory.facts) : [];
  const unread = groups.filter((g) => g.readError);
  if (unread.length) notes.push(`${unread.length} managed group(s) could not be read from their target; their live membership is shown as unknown, never guessed.`);
  if (!digest.kept.some((r) => r.action.startsWith("breakglass."))) notes.push("No break-glass use is recorded in the audit log.");
  if (!digest.kept.some((r) => r.action.startsWith("review."))) notes.push("No access review is recorded in the audit log.");
  return buildEvidence({
    now: deps.clock.now(),
    period,
    all,
    listed,
    digest,
    auditCheck,
    cases: await deps.offboarding.recent(1_000_000),
    groups,
    people: policy?.people.people ?? [],
    nameOf: directory.nameOf,
    notes,
  });
}
