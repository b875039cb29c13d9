/**
 * The live half of the evidence report's three-way comparison: for each group the catalog
 * manages, the target's members (read now, never cached), what reconcile's justification says
 * belongs there, and each person's status in the directory (read live from the source of truth
 * when one is configured, else grantbot's last snapshot of it). A target that cannot be read is
 * reported as such, with the error; its members are never guessed.
 */
import { compareGroup, type PeopleFacts } from "../../domain/evidence-groups.ts";
import type { DirectoryStatus, GroupComparison } from "../../domain/evidence-types.ts";
import type { Catalog } from "../../domain/grant-files.ts";
import type { Grant } from "../../domain/grant.ts";
import type { DirectoryPerson, PeopleSource } from "../ports/index.ts";
import type { ServiceDeps } from "../deps.ts";
import { justification, managedGroups, type ManagedGroup } from "../reconcile/reconcile-group.ts";
import { standingFilter, type StandingFilterDeps } from "../reviews/standing.ts";
import { mapLimit } from "../../shared/map-limit.ts";

export type ReadLiveGroupsDeps = Pick<ServiceDeps, "targets">;

/** What one managed group holds right now: its members, or why it could not be read. */
export interface LiveGroup {
  managed: ManagedGroup;
  actual: string[] | null;
  readError: string | null;
}

/** Each target is asked about at most this many groups at once. */
const READS_AT_ONCE = 4;

/**
 * Reads every managed group's members from its target (a few at a time). Never throws: a group
 * that cannot be read carries its error instead.
 */
export async function readLiveGroups(deps: ReadLiveGroupsDeps, catalog: Catalog): Promise<LiveGroup[]> {
  return mapLimit(managedGroups(catalog), READS_AT_ONCE, async (managed) => {
    try {
      const directory = deps.targets.get(managed.target);
      const group = await directory.findGroup(managed.group);
      if (!group) throw new Error(`group "${managed.group}" does not exist in SCIM target ${managed.target}`);
      return { managed, actual: (await directory.listMembers(group.id)).map((m) => m.userName.toLowerCase()), readError: null };
    } catch (err) {
      return { managed, actual: null, readError: err instanceof Error ? err.message : String(err) };
    }
  });
}

export type CompareGroupsDeps = Pick<ServiceDeps, "grants" | "jobs"> & StandingFilterDeps;

/**
 * The three-way comparison of each live group with reconcile's justification (standing members
 * counted exactly as reconcile counts them: not leavers, not overdue on a review that revokes)
 * and the directory.
 */
export async function compareGroups(deps: CompareGroupsDeps, catalog: Catalog, live: readonly LiveGroup[], active: readonly Grant[], isEmergency: (g: Grant) => boolean, people: PeopleFacts): Promise<GroupComparison[]> {
  const counted = new Map(managedGroups(catalog, await standingFilter(deps, catalog)).map((g) => [`${g.target}\u0000${g.group}`, g]));
  const out: GroupComparison[] = [];
  for (const { managed: listed, actual, readError } of live) {
    const managed = counted.get(`${listed.target}\u0000${listed.group}`) ?? listed;
    const { desired, tolerated } = await justification(deps, catalog, managed);
    const covers = (g: Grant) => {
      const access = g.access ?? (catalog.resources[g.resource] ? { target: catalog.resources[g.resource]!.scim.target, groups: catalog.resources[g.resource]!.scim.groups } : null);
      return access !== null && access.target === managed.target && access.groups.includes(managed.group);
    };
    const grants = active.filter((g) => g.state === "active" && covers(g)).map((g) => ({ grantId: g.id, subject: g.subject, expiresAt: g.expiresAt, emergency: isEmergency(g) }));
    out.push(compareGroup({ target: managed.target, group: managed.group, resources: managed.resources, enforce: managed.enforce, desired, tolerated, standing: managed.standing, listedStanding: listed.standing, grants, actual, readError }, people));
  }
  return out.sort((a, b) => a.target.localeCompare(b.target) || a.group.localeCompare(b.group));
}

export type DirectoryViewDeps = Pick<ServiceDeps, "offboarding" | "people">;

/**
 * How the report learns each person's directory status. With a live source: one full listing now
 * (a person it does not return is "not in directory"); if that fails, grantbot's snapshot, and a
 * note says so. Without one: the snapshot; with an empty snapshot everyone is "unknown".
 */
export async function directoryView(deps: DirectoryViewDeps, source: PeopleSource | null): Promise<{ facts: PeopleFacts; nameOf(email: string): string | null; note: string | null }> {
  const open = new Map<string, string>();
  for (const c of await deps.offboarding.recent(100_000)) if (c.completedAt === null) open.set(c.email.toLowerCase(), c.id);
  const openCase = (email: string) => open.get(email) ?? null;
  const names = new Map((await deps.people.all()).map((r) => [r.email, r.displayName]));
  const snapshotName = (email: string) => names.get(email) ?? null;
  if (source) {
    try {
      const live = new Map<string, DirectoryPerson>();
      await source.listPeople((page) => {
        for (const p of page) live.set(p.email.toLowerCase(), p);
      });
      return {
        facts: { status: (email) => (live.has(email) ? (live.get(email)!.active ? "active" : "inactive") : "not in directory"), openCase },
        nameOf: (email) => live.get(email)?.displayName ?? snapshotName(email),
        note: `Directory status read live from ${source.name} when the report was generated.`,
      };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { facts: await snapshotFacts(deps, openCase, true), nameOf: snapshotName, note: `The directory ${source.name} could not be read (${why}); directory status is grantbot's last snapshot of it.` };
    }
  }
  const known = await deps.people.countPresent() > 0;
  return {
    facts: await snapshotFacts(deps, openCase, known),
    nameOf: snapshotName,
    note: known ? "Directory status is grantbot's last snapshot of the directory (no live directory configured for this run)." : "No directory is configured and grantbot holds no directory records: directory status is unknown.",
  };
}

async function snapshotFacts(deps: DirectoryViewDeps, openCase: (email: string) => string | null, known: boolean): Promise<PeopleFacts> {
  const records = new Map((await deps.people.all()).map((r) => [r.email, r]));
  return {
    status: (email): DirectoryStatus => {
      const record = records.get(email);
      if (!record) return known ? "not in directory" : "unknown";
      if (record.removedAt !== null) return "deleted";
      return record.active ? "active" : "inactive";
    },
    openCase,
  };
}
