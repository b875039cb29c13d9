/**
 * Durable state: transactions, grants, the audit log, webhook/push delivery ids. Times are epoch
 * milliseconds. Asynchronous (SQLite answers at once, PostgreSQL over the network): every call made
 * inside `Transactor.transaction`'s function commits together.
 */
import type { Grant, GrantState } from "../../domain/grant.ts";

/** Runs `fn` atomically: every store call inside commits together or not at all. */
export interface Transactor {
  /**
   * Runs `fn` atomically (nested calls: a savepoint). Committed durably — on disk before it
   * returns — unless `durable: false`: then the commit survives a process crash (kill -9) but may
   * be lost with the machine (power loss) until the next durable commit. Only for bookkeeping whose
   * loss makes idempotent work run again (job leases and completions), never for a revocation.
   *
   * `fn` must only await store calls — no network call to Slack, GitHub or a target — because
   * the transaction holds the database (SQLite: the one connection; PostgreSQL: row and advisory
   * locks) until it returns, and PostgreSQL may run `fn` again after a serialization failure.
   */
  transaction<T>(fn: () => Promise<T>, options?: { durable?: boolean }): Promise<T>;
}

/** One grant's end, as `GrantStore.endMany` applies it. */
export interface GrantEnd {
  id: string;
  /** The state the grant must still be in (the compare-and-set). */
  from: GrantState;
  /** The state it ends in: a legal transition from `from`. */
  state: GrantState;
  endedAt: number;
  endReason: string;
}

export interface GrantStore {
  /** Inserts a new grant. Throws if the id exists. */
  insert(grant: Grant): Promise<void>;
  get(id: string): Promise<Grant | null>;
  getByPrNumber(prNumber: number): Promise<Grant | null>;
  /**
   * Compare-and-set: applies `patch` (and sets `updatedAt`) only while the grant's state is one of
   * `fromStates`. Returns false (and changes nothing) otherwise. `patch.state`, when given, must
   * be a legal transition from the current state (checked with domain/grant.ts) or it throws.
   */
  update(id: string, fromStates: readonly GrantState[], patch: Partial<Omit<Grant, "id">>): Promise<boolean>;
  /** The grants with these ids that exist, in no particular order (an id given twice: once). */
  getMany(ids: readonly string[]): Promise<Grant[]>;
  /**
   * Ends many grants at once (a batch of expiries): each end is a compare-and-set — applied only
   * while its grant is still in `end.from` — setting state, endedAt, endReason and updatedAt
   * (= endedAt). Returns the grants it changed, as they are after, in no particular order; an id
   * given twice is ended once (the first). Throws `invalid_transition`, changing nothing, when
   * any `from -> state` is not a legal transition (domain/grant.ts). Atomic (one statement on
   * PostgreSQL; the caller's transaction on SQLite).
   */
  endMany(ends: readonly GrantEnd[]): Promise<Grant[]>;
  /** Grants in any of `states`, oldest request first. */
  listByState(states: readonly GrantState[], limit?: number): Promise<Grant[]>;
  /** Grants of one subject in any of `states`. */
  listBySubject(subject: string, states: readonly GrantState[]): Promise<Grant[]>;
  /** Grants of any of these subjects in any of `states`, oldest request first (ties by id). */
  listBySubjects(subjects: readonly string[], states: readonly GrantState[]): Promise<Grant[]>;
  /** Active grants whose expiresAt <= `at`, earliest first. */
  listDueForExpiry(at: number, limit: number): Promise<Grant[]>;
  /** Earliest expiresAt among active grants, or null. */
  nextExpiry(): Promise<number | null>;
  countByState(): Promise<Record<GrantState, number>>;
}

export interface AuditEntry {
  at: number;
  /** Who did it: an email, `github:<login>`, `slack:<id>`, or `grantbot`. */
  actor: string;
  /** A verb such as `grant.requested`, `grant.activated`, `scim.member_removed`. */
  action: string;
  grantId?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditLog {
  /**
   * Appends a row whose hash chains to the previous row, committed with the caller's transaction.
   * Never updates or deletes. Its place in the chain (seq) is the order of commits: read it back
   * (forGrant, all) rather than expecting it here.
   */
  append(entry: AuditEntry): Promise<void>;
  /** Re-computes the chain; lists every row that was edited, deleted or inserted out of order. */
  verify(): Promise<{ ok: boolean; rows: number; problems: string[] }>;
  /** All rows in order (for export), read in batches: iterate with `for await`. */
  all(): AsyncIterable<AuditRecord> | Iterable<AuditRecord>;
  forGrant(grantId: string): Promise<AuditRecord[]>;
}

export interface DeliveryLog {
  /** Records a webhook/push delivery id. Returns false when it was seen before (a replay). */
  firstSeen(source: string, id: string, at: number): Promise<boolean>;
  /** Forgets deliveries older than `before` (replay windows are bounded). */
  prune(before: number): Promise<number>;
}
