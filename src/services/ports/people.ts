/**
 * Ports of the leavers/movers feature (re-exported by ports.ts): the source-of-truth directory,
 * grantbot's snapshot of it, and offboarding cases. Times are epoch milliseconds.
 */

/** One person as the source-of-truth directory reports them. */
export interface DirectoryPerson {
  /** Lower-cased email: the identity grants are written for. */
  email: string;
  /** The person's id in the directory (SCIM id), when it has one. */
  directoryId: string | null;
  /** false = deactivated (a leaver). RFC 7643: absent means active. */
  active: boolean;
  /** Directory id of the manager (SCIM enterprise extension `manager.value`), or null. */
  managerId: string | null;
  displayName: string | null;
  /** Directory groups (SCIM `groups[].display`); null when the directory does not say. */
  groups: string[] | null;
}

/**
 * The source-of-truth directory (a SCIM endpoint). Methods throw AppError
 * (`target_unavailable` is retryable).
 */
export interface PeopleSource {
  readonly name: string;
  /**
   * Every person, active or not, page by page (no server-side filter, so servers that cannot
   * filter on `active` work too). `onPage` is awaited before the next page is fetched.
   */
  listPeople(onPage: (people: DirectoryPerson[]) => Promise<void> | void): Promise<{ pages: number; people: number }>;
  /** One person by directory id (to resolve a manager); null when the directory says 404. */
  getPerson(directoryId: string): Promise<DirectoryPerson | null>;
}

/** grantbot's last known record of a person (kept after they are deleted from the directory). */
export interface DirectoryRecord {
  email: string;
  directoryId: string | null;
  active: boolean;
  managerId: string | null;
  /** Resolved from managerId (or pushed); kept when the manager later disappears. */
  managerEmail: string | null;
  displayName: string | null;
  groups: string[] | null;
  /** Other attributes a push carried. */
  attributes: Record<string, unknown>;
  /** Last time the directory (poll or push) reported this person. */
  seenAt: number;
  /** When the directory stopped returning them (deleted), else null. */
  removedAt: number | null;
}

export interface DirectorySnapshotStore {
  get(email: string): Promise<DirectoryRecord | null>;
  getByDirectoryId(directoryId: string): Promise<DirectoryRecord | null>;
  /** Inserts or replaces the record (by email). With `pollId`, marks it seen by that poll. */
  put(record: DirectoryRecord, pollId?: number): Promise<void>;
  /** Starts a poll; returns its id (increasing). */
  startPoll(at: number): Promise<number>;
  finishPoll(pollId: number, at: number, stats: { pages: number; people: number; changes: number }): Promise<void>;
  /** Records still present (removedAt null) that an earlier poll saw but poll `pollId` did not. */
  unseen(pollId: number): Promise<DirectoryRecord[]>;
  /**
   * Sets managerEmail from the snapshot for every record seen by `pollId` whose managerId is
   * known there. Returns the manager ids it could not resolve.
   */
  resolveManagers(pollId: number): Promise<string[]>;
  /** Records not marked removed. */
  countPresent(): Promise<number>;
  /** Every record (removed ones included), by email (reports). */
  all(): Promise<DirectoryRecord[]>;
}

export interface OffboardingCase {
  id: string;
  email: string;
  /** `poll`, `push` or `cli`. */
  source: string;
  cause: "deactivated" | "deleted" | "pushed";
  startedAt: number;
  /** Grants revoked with reason `leaver`. */
  revoked: string[];
  /** Pending requests cancelled (their PRs closed). */
  cancelled: string[];
  /** Grants of service identities the leaver owned. */
  orphans: string[];
  pendingNoticeAt: number | null;
  completedAt: number | null;
}

export interface OffboardingStore {
  /** Throws when another case of the same email is still open. */
  insert(c: OffboardingCase): Promise<void>;
  get(id: string): Promise<OffboardingCase | null>;
  /** The open (not completed) case of a person, if any. */
  openFor(email: string): Promise<OffboardingCase | null>;
  /** Applies the patch while the case is open; false when it was completed already. */
  update(id: string, patch: Partial<Pick<OffboardingCase, "revoked" | "cancelled" | "orphans" | "pendingNoticeAt" | "completedAt">>): Promise<boolean>;
  /** Most recent first. */
  recent(limit: number): Promise<OffboardingCase[]>;
}
