/**
 * Use case: poll the source-of-truth directory. Every person is listed (page by page, no filter
 * on `active`) and compared with grantbot's snapshot, so a poll costs the same whether or not
 * anything changed and each change is acted on once:
 * - active -> inactive: a leaver (`deactivated`); present in the snapshot but not listed: a
 *   leaver (`deleted`), whose last record (manager included) is kept;
 * - groups changed while active: a mover (eligibility re-checked).
 * A listing that would delete most of the directory at once is not believed: ops is alerted
 * and nobody is offboarded for it.
 *
 * Nothing is concluded from a listing before it is complete: pages are collected first and
 * applied only once `listPeople` has resolved — which the SCIM adapter does only when the server's
 * own counts prove the listing whole (scim-paging.ts). A listing that fails or stops early
 * throws: no snapshot change, no leaver, no mover, and the poll reports the error. A person
 * missing from a complete listing is deleted only once the directory answers 404 for their id.
 */
import { sameGroups } from "../../domain/eligibility.ts";
import type { LeaverCause } from "../../domain/offboarding.ts";
import type { ServiceDeps } from "../deps.ts";
import { offboardPerson } from "./offboard-person.ts";
import { dayOf, queueOpsNotice } from "../messages/ops-notice.ts";
import type { DirectoryPerson, DirectoryRecord, PeopleSource } from "../ports/index.ts";
import { queueMoverCheck } from "./revoke-ineligible.ts";

export interface SyncResult {
  pages: number;
  people: number;
  changes: number;
  leavers: { email: string; cause: LeaverCause }[];
  movers: string[];
  /** Set when deletions were not believed (see above). */
  deletionsSkipped: string | null;
}

/** Most people that may vanish in one poll before grantbot suspects the directory, not them. */
export const MASS_DELETION = { minPeople: 5, fraction: 0.5 };

/** Consecutive failed polls before ops is alerted. */
export const POLL_FAILURES_BEFORE_ALERT = 3;

type Event = { kind: "leaver"; email: string; cause: LeaverCause; firstSight: boolean } | { kind: "mover"; email: string } | { kind: "change" } | null;

/** Merges a polled person into their previous record; says what changed. */
export function mergePolled(prev: DirectoryRecord | null, person: DirectoryPerson, now: number): { record: DirectoryRecord; event: Event } {
  const managerId = person.managerId ?? prev?.managerId ?? null;
  const managerEmail = prev && prev.managerId === managerId ? prev.managerEmail : null;
  const groups = person.groups ?? prev?.groups ?? null;
  const record: DirectoryRecord = {
    email: person.email,
    directoryId: person.directoryId,
    active: person.active,
    managerId,
    managerEmail,
    displayName: person.displayName ?? prev?.displayName ?? null,
    groups,
    attributes: prev?.attributes ?? {},
    seenAt: now,
    removedAt: null,
  };
  if (!person.active && (!prev || prev.active)) {
    return { record, event: { kind: "leaver", email: person.email, cause: "deactivated", firstSight: !prev } };
  }
  if (prev && person.active && prev.active && prev.removedAt === null && !sameGroups(prev.groups, groups)) {
    return { record, event: { kind: "mover", email: person.email } };
  }
  const changed = !prev || prev.active !== record.active || prev.removedAt !== null || prev.managerId !== managerId || prev.displayName !== record.displayName || !sameGroups(prev.groups, groups);
  return { record, event: changed ? { kind: "change" } : null };
}

export type SyncDirectoryDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "ids" | "jobs" | "log" | "metrics" | "offboarding" | "people" | "tx" | "wake">;

export async function syncDirectory(deps: SyncDirectoryDeps, source: PeopleSource): Promise<SyncResult> {
  const { people } = deps;
  const now = deps.clock.now();
  const result: SyncResult = { pages: 0, people: 0, changes: 0, leavers: [], movers: [], deletionsSkipped: null };

  // The whole listing first: a change seen on page 1 of a listing that fails on page 3 must not be
  // acted on (nor recorded, or the next poll would not see it as a change).
  const pages: DirectoryPerson[][] = [];
  const stats = await source.listPeople((page) => {
    pages.push(page);
  });
  const pollId = await people.startPoll(now);

  // Each page in one transaction: the snapshot change and what it triggers (offboarding, a mover
  // check job) commit together, so a crash mid-poll never records a change without acting on it.
  // A turn of the event loop between pages keeps a large directory from blocking other work.
  for (const page of pages) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await deps.tx.transaction(async () => {
      for (const person of page) {
        const { record, event } = mergePolled(await people.get(person.email), person, now);
        if (record.managerId && !record.managerEmail) record.managerEmail = (await people.getByDirectoryId(record.managerId))?.email ?? null;
        await people.put(record, pollId);
        if (!event) continue;
        result.changes++;
        if (event.kind === "leaver") {
          result.leavers.push({ email: event.email, cause: event.cause });
          await offboardPerson(deps, { email: event.email, cause: event.cause, source: "poll", firstSight: event.firstSight });
        }
        if (event.kind === "mover") {
          result.movers.push(event.email);
          await queueMoverCheck(deps, event.email, "grantbot");
        }
      }
    });
  }
  result.pages = stats.pages;
  result.people = stats.people;

  // Managers the listing did not contain (rare): read them by id.
  for (const id of (await people.resolveManagers(pollId)).slice(0, 50)) {
    const manager = await source.getPerson(id).catch(() => null);
    if (!manager) continue;
    const prev = await people.get(manager.email);
    await people.put({ ...mergePolled(prev, manager, now).record, removedAt: prev?.removedAt ?? null });
  }
  await people.resolveManagers(pollId);

  const gone = await people.unseen(pollId);
  const present = await people.countPresent();
  const suspicious = gone.length > 0 && (stats.people === 0 || (gone.length > MASS_DELETION.minPeople && gone.length > present * MASS_DELETION.fraction));
  if (suspicious) {
    result.deletionsSkipped = `${gone.length} of ${present} people vanished from directory ${source.name} in one poll`;
    await queueOpsNotice(deps, `directory-mass-deletion:${dayOf(now)}`, "Directory poll not believed", `${result.deletionsSkipped}; grantbot offboarded nobody for it. Check the directory URL, token and its filters. Leavers are still processed when they are deactivated.`);
  } else {
    const confirmed = await confirmGone(source, gone);
    if (confirmed.length < gone.length) deps.log.warn({ directory: source.name, unlisted: gone.length - confirmed.length }, "directory listing omitted people it still returns by id; not treated as deleted");
    await deps.tx.transaction(async () => {
      for (const record of confirmed) {
        await people.put({ ...record, removedAt: now });
        result.changes++;
        if (!record.active) continue; // deactivated earlier: offboarded then
        result.leavers.push({ email: record.email, cause: "deleted" });
        await offboardPerson(deps, { email: record.email, cause: "deleted", source: "poll" });
      }
    });
  }
  await people.finishPoll(pollId, deps.clock.now(), { pages: result.pages, people: result.people, changes: result.changes });
  if (result.changes > 0) deps.log.info({ directory: source.name, pages: result.pages, people: result.people, changes: result.changes, leavers: result.leavers.length, movers: result.movers.length }, "directory poll applied changes");
  return result;
}

/**
 * Of the people a complete listing no longer shows, those the directory confirms gone: 404 by id,
 * or the id now belongs to another email. Offset paging can skip a person with no count showing
 * it (someone before them deleted while the listing ran, someone added after): a person who still
 * answers by id is not deleted, and the next poll looks again. A failed read confirms nothing.
 */
async function confirmGone(source: PeopleSource, gone: DirectoryRecord[]): Promise<DirectoryRecord[]> {
  const verdicts = new Array<boolean>(gone.length);
  let next = 0;
  const worker = async () => {
    while (next < gone.length) {
      const i = next++;
      const record = gone[i]!;
      if (!record.directoryId) {
        verdicts[i] = true;
        continue;
      }
      const person = await source.getPerson(record.directoryId).catch(() => undefined);
      verdicts[i] = person === null || (person !== undefined && person.email !== record.email);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONFIRM_CONCURRENCY, gone.length) }, worker));
  return gone.filter((_, i) => verdicts[i]);
}

/** Reads at once when confirming deletions (the SCIM client caps its requests anyway). */
const CONFIRM_CONCURRENCY = 8;

/** Runs polls one at a time; a poll asked for while one runs happens right after it. */
export type DirectoryPollerDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "homeUsers" | "ids" | "jobs" | "log" | "metrics" | "offboarding" | "people" | "tx" | "wake">;

export class DirectoryPoller {
  private running: Promise<SyncResult> | null = null;
  private queued: Promise<SyncResult> | null = null;
  private failures = 0;

  constructor(
    private readonly deps: DirectoryPollerDeps,
    private readonly source: PeopleSource,
  ) {}

  poll(): Promise<SyncResult> {
    if (!this.running) {
      this.running = syncDirectory(this.deps, this.source)
        .then((result) => {
          this.failures = 0;
          return result;
        })
        .catch(async (err: unknown) => {
          await this.failed(err);
          throw err;
        })
        .finally(() => {
          this.running = null;
        });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.poll();
      });
    return this.queued;
  }

  /** Leavers go unnoticed while the directory cannot be read: tell ops after a few failed polls. */
  private async failed(err: unknown): Promise<void> {
    this.failures++;
    const message = err instanceof Error ? err.message : String(err);
    this.deps.log.warn({ directory: this.source.name, failures: this.failures, err: message }, "directory poll failed");
    if (this.failures === POLL_FAILURES_BEFORE_ALERT) {
      await queueOpsNotice(this.deps, `directory-unreachable:${dayOf(this.deps.clock.now())}`, "Directory cannot be polled", `${POLL_FAILURES_BEFORE_ALERT} polls of directory ${this.source.name} in a row failed (last: ${message}). Leavers and movers are not detected until it answers again; signed pushes still work.`);
    }
  }
}
