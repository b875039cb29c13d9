/**
 * The interfaces services need, owned by the services (CONVENTIONS.md §1). Adapters implement
 * them; tests use fakes that implement them. Times are epoch milliseconds unless stated.
 */
import type { Grant, GrantState } from "../domain/grant.ts";
import type { OffboardingReport } from "../domain/offboarding.ts";

export type * from "./directory-ports.ts";

/** The only way services read time. */
export interface Clock {
  now(): number;
}

// ---------------------------------------------------------------------------------------------
// Durable state (SQLite)
// ---------------------------------------------------------------------------------------------

/** Runs `fn` atomically: every store call inside commits together or not at all. Synchronous. */
export interface Transactor {
  /**
   * Runs `fn` atomically (nested calls: a savepoint). Committed durably — on disk before it
   * returns — unless `durable: false`: then the commit survives a process crash (kill -9) but may
   * be lost with the machine (power loss) until the next durable commit. Only for bookkeeping whose
   * loss makes idempotent work run again (job leases and completions), never for a revocation.
   */
  transaction<T>(fn: () => T, options?: { durable?: boolean }): T;
}

export interface GrantStore {
  /** Inserts a new grant. Throws if the id exists. */
  insert(grant: Grant): void;
  get(id: string): Grant | null;
  getByPrNumber(prNumber: number): Grant | null;
  /**
   * Compare-and-set: applies `patch` (and sets `updatedAt`) only while the grant's state is one of
   * `fromStates`. Returns false (and changes nothing) otherwise. `patch.state`, when given, must
   * be a legal transition from the current state (checked with domain/grant.ts) or it throws.
   */
  update(id: string, fromStates: readonly GrantState[], patch: Partial<Omit<Grant, "id">>): boolean;
  /** Grants in any of `states`, oldest request first. */
  listByState(states: readonly GrantState[], limit?: number): Grant[];
  /** Grants of one subject in any of `states`. */
  listBySubject(subject: string, states: readonly GrantState[]): Grant[];
  /** Active grants whose expiresAt <= `at`, earliest first. */
  listDueForExpiry(at: number, limit: number): Grant[];
  /** Earliest expiresAt among active grants, or null. */
  nextExpiry(): number | null;
  countByState(): Record<GrantState, number>;
}

export type JobState = "queued" | "running" | "done" | "dead";

export interface JobSpec {
  kind: string;
  payload: Record<string, unknown>;
  /** When the job may first run (default: now). */
  runAt?: number;
  /** Enqueuing a second job with the same key is a no-op while the first exists (any state). */
  dedupeKey?: string;
  /** Jobs sharing a lock key never run at the same time (e.g. one SCIM user in one target). */
  lockKey?: string;
  /** After this many failed attempts the job is `dead` (alerted). Omit or null = retry forever. */
  maxAttempts?: number | null;
}

export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  runAt: number;
  attempts: number;
  maxAttempts: number | null;
  lastError: string | null;
  state: JobState;
  dedupeKey: string | null;
  lockKey: string | null;
  leaseUntil: number | null;
  createdAt: number;
}

export interface JobQueue {
  /** Durable enqueue; idempotent per dedupeKey. Returns the job id, or null when deduplicated. */
  enqueue(spec: JobSpec): number | null;
  /**
   * Claims up to `limit` runnable jobs: queued with runAt <= now, or running with an expired lease
   * (their worker crashed). Skips jobs whose lockKey is held by another unexpired running job.
   * Claimed jobs become `running` with leaseUntil = now + leaseMs and attempts + 1.
   * `excludeLockPrefixes`: skip jobs whose lock key starts with one of these (a batch of them is
   * already running).
   */
  claim(now: number, limit: number, leaseMs: number, kinds?: readonly string[], excludeLockPrefixes?: readonly string[]): Job[];
  /** Marks a claimed job done. */
  complete(id: number): void;
  /**
   * Records a failure. With `retryAt` the job goes back to `queued` at that time; with null it
   * becomes `dead`. Returns the resulting state.
   */
  fail(id: number, error: string, retryAt: number | null): JobState;
  /** Earliest runAt among queued jobs (or lease end among running ones), or null when idle. */
  nextWakeAt(): number | null;
  /** Queued + running jobs, by kind. */
  depth(): Record<string, number>;
  get(id: number): Job | null;
  /**
   * At start-up of the single grantbot process: jobs a previous (crashed) process left
   * `running` go back to `queued` at once instead of waiting for their lease to expire.
   */
  requeueRunning(): number;
  /** Jobs not yet done or dead that mention this dedupe key prefix (for tests and listings). */
  pending(prefix?: string): Job[];
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
  /** Appends a row whose hash chains to the previous row. Never updates or deletes. */
  append(entry: AuditEntry): AuditRecord;
  /** Re-computes the chain; lists every row that was edited, deleted or inserted out of order. */
  verify(): { ok: boolean; rows: number; problems: string[] };
  /** All rows in order (for export). */
  all(): Iterable<AuditRecord>;
  forGrant(grantId: string): AuditRecord[];
}

export interface DeliveryLog {
  /** Records a webhook/push delivery id. Returns false when it was seen before (a replay). */
  firstSeen(source: string, id: string, at: number): boolean;
  /** Forgets deliveries older than `before` (replay windows are bounded). */
  prune(before: number): number;
}

export interface CredentialRecord {
  jti: string;
  grantId: string;
  subject: string;
  audience: string;
  scope: string;
  kid: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface CredentialStore {
  /** Idempotent on jti. */
  insert(record: CredentialRecord): void;
  get(jti: string): CredentialRecord | null;
  forGrant(grantId: string): CredentialRecord[];
  /** Sets revokedAt on every unrevoked credential of the grant; returns how many. */
  revokeForGrant(grantId: string, at: number): number;
}

// ---------------------------------------------------------------------------------------------
// SCIM targets (adapters/scim)
// ---------------------------------------------------------------------------------------------

export interface ScimUserRef {
  id: string;
  userName: string;
}

export interface ScimGroupRef {
  id: string;
  displayName: string;
}

/**
 * One SCIM 2.0 service provider. Every method throws AppError: `target_unavailable`
 * (retryable: network error, timeout, 5xx, 429 — `retryAfterMs` set when the server said) or
 * `target_rejected` (other 4xx, with the SCIM error detail), or `bad_input` for a reply that
 * does not match the SCIM schema.
 */
export interface GroupDirectory {
  readonly name: string;
  /** Finds a user by userName (lower-cased email). Null when absent. */
  findUser(email: string): Promise<ScimUserRef | null>;
  /** Finds a group by displayName (cached per process; the cache is dropped on a 404). */
  findGroup(displayName: string): Promise<ScimGroupRef | null>;
  /** True when the user is a member of the group right now (read from the target, never cached). */
  isMember(groupId: string, userId: string): Promise<boolean>;
  /** PATCH add. Idempotent: adding an existing member succeeds. */
  addMember(groupId: string, userId: string): Promise<void>;
  /** True when addMember resolves only once a read-back shows the member (callers skip theirs). */
  readonly addMemberReadsBack?: boolean;
  /** PATCH remove of exactly this member (never a filterless remove). Idempotent. */
  removeMember(groupId: string, userId: string): Promise<void>;
  /**
   * Optional batch form of removeMember: as few PATCHes as the provider allows, then a read-back.
   * Resolves with the ids still members on that read-back (empty: all gone), or void when it did
   * not read back (the caller does). Idempotent. Absent = removeMember per user.
   */
  removeMembers?(groupId: string, userIds: readonly string[]): Promise<ReadonlySet<string> | void>;
  /** Most requests to send this target at once (callers size their worker pools by it); default 8. */
  readonly maxConcurrency?: number;
  /**
   * Optional: the ids of every member, in one read from the target (never cached) — isMember for
   * many users at once. Resolves null when the provider offers no such read.
   */
  memberIds?(groupId: string): Promise<Set<string> | null>;
  /** Every member's id and userName (paged until complete). */
  listMembers(groupId: string): Promise<ScimUserRef[]>;
}

export interface GroupDirectories {
  /** The directory for a target named in GRANTBOT_CONFIG; throws config_invalid when unknown. */
  get(target: string): GroupDirectory;
  names(): string[];
}

// ---------------------------------------------------------------------------------------------
// GitHub (adapters/github)
// ---------------------------------------------------------------------------------------------

export interface RepoFile {
  path: string;
  text: string;
}

/** The grants repository's base branch, read with conditional requests (ETag). */
export interface GrantsSource {
  /** Raw `grants/catalog.yaml` and `grants/people.yaml` at the head of the base branch. */
  readPolicyFiles(): Promise<{ catalog: RepoFile; people: RepoFile | null }>;
  /**
   * The same two files at one commit, addressed by its full SHA (never a branch name: a commit's
   * content cannot move). Throws `bad_input` when the catalog is absent at that commit.
   */
  readPolicyFilesAt(sha: string): Promise<{ catalog: RepoFile; people: RepoFile | null }>;
}

/** One file of a diff, as GitHub lists it. */
export interface ChangedFile {
  path: string;
  /** added, removed, modified, renamed, copied, changed or unchanged (GitHub's words). */
  status: string;
  /** For a rename: the old path. */
  previousPath?: string;
}

export interface OpenedChange {
  number: number;
  url: string;
  headSha: string;
}

export interface PullRequestState {
  number: number;
  url: string;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: number | null;
  mergedBy: string | null;
  mergeSha: string | null;
  headSha: string;
  headRef: string;
  baseRef: string;
  closedAt: number | null;
}

export interface Review {
  id: number;
  login: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commitId: string;
  submittedAt: number | null;
}

/** Pull requests in the grants repository. Methods throw AppError (`target_unavailable` retryable). */
export interface ChangeRequests {
  /**
   * Opens a PR adding one file in one commit on a new branch. Idempotent: when the branch or PR
   * already exists (a retry after a crash) it returns the existing PR. At most 5 API calls.
   */
  open(input: {
    branch: string;
    path: string;
    content: string;
    commitMessage: string;
    title: string;
    body: string;
    labels: string[];
  }): Promise<OpenedChange>;
  get(number: number): Promise<PullRequestState>;
  /** File text at a commit, or null when absent. */
  readFile(path: string, ref: string): Promise<string | null>;
  /** Every review of the PR, oldest first (paged). */
  listReviews(number: number): Promise<Review[]>;
  /** The files the PR changes (its whole diff against the base, paged; GitHub lists at most 3,000). */
  listFiles(number: number): Promise<ChangedFile[]>;
  /** The parent SHAs of a commit, first parent first. */
  commitParents(sha: string): Promise<string[]>;
  /** The files that differ between two commits (`base...head`, at most 300 listed by GitHub). */
  changedFiles(base: string, head: string): Promise<ChangedFile[]>;
  /** Whether `login` is an active member of `org/team-slug`. */
  isTeamMember(team: string, login: string): Promise<boolean>;
  comment(number: number, body: string): Promise<void>;
  /** Closes without merging (no-op when already closed), after posting `comment`. */
  close(number: number, comment: string): Promise<void>;
  /** Recently closed PRs (for polling), newest update first; uses a conditional request. */
  listRecentlyClosed(): Promise<PullRequestState[] | "not_modified">;
}

// ---------------------------------------------------------------------------------------------
// Slack (adapters/slack)
// ---------------------------------------------------------------------------------------------

export interface MessageRef {
  channel: string;
  ts: string;
}

/** A message: plain-text fallback plus optional Block Kit blocks (built by pure views). */
export interface OutboundMessage {
  text: string;
  blocks?: unknown[];
}

export interface Messenger {
  /** DMs a Slack user (opens the IM if needed). Retries on 429 honouring Retry-After. */
  dm(slackUserId: string, message: OutboundMessage): Promise<MessageRef>;
  post(channel: string, message: OutboundMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: OutboundMessage): Promise<void>;
  /** users.info -> lower-cased email, or null when the user has none visible. */
  emailOf(slackUserId: string): Promise<string | null>;
  /** users.lookupByEmail -> Slack user id, or null. */
  userIdFor(email: string): Promise<string | null>;
}

// ---------------------------------------------------------------------------------------------
// Credentials (adapters/credentials)
// ---------------------------------------------------------------------------------------------

export interface CredentialClaims {
  subject: string;
  audience: string;
  scope: string;
  grantId: string;
  jti: string;
  issuedAt: number; // ms
  expiresAt: number; // ms
}

export interface CredentialSigner {
  /** Signs a JWT with the current key. Deterministic for the same claims and key (EdDSA). */
  sign(claims: CredentialClaims): Promise<{ token: string; kid: string }>;
  /** Verifies signature, issuer and time claims; returns the payload or null. */
  verify(token: string): Promise<Record<string, unknown> | null>;
  /** Public JWKS (current + previous keys). */
  jwks(): { keys: Record<string, unknown>[] };
}

// ---------------------------------------------------------------------------------------------
// Notifications, logging, metrics, timers
// ---------------------------------------------------------------------------------------------

/** Who a notification is for: an email, and the Slack id when already known. */
export interface Recipient {
  email: string;
  slackId?: string | null;
}

/**
 * What happened, in grantbot's words; the Slack adapter renders each kind with pure views.
 * `grant` is a snapshot taken when the note was created.
 */
export type Note =
  | { kind: "request_opened"; grant: Grant }
  | { kind: "request_failed"; grant: Grant; message: string }
  | { kind: "active"; grant: Grant; token: string | null; audience: string | null }
  | { kind: "declined"; grant: Grant }
  | { kind: "rejected"; grant: Grant; message: string }
  /** `continuedBy`: a live grant of the same subject and resource (an extension) that keeps the access. */
  | { kind: "ended"; grant: Grant; reason: string; continuedBy?: Grant | null }
  /** The approvals so far of a pending request changed (a review was submitted). */
  | { kind: "review"; grant: Grant; approvedBy: string[]; changesRequestedBy: string[]; required: number }
  | { kind: "ops_alert"; title: string; detail: string; grantId?: string }
  /** Leaver offboarding: the confirmation (`final`) or the interim `pending` notice. */
  | { kind: "offboarding"; phase: "final" | "pending"; audience: "manager" | "ops"; report: OffboardingReport }
  /** The grant expires in `notifyBeforeExpiry`: how long is left and how to extend. */
  | { kind: "expiry_reminder"; grant: Grant }
  /** A request PR left unreviewed too long was closed. */
  | { kind: "request_stale"; grant: Grant; ageMs: number };

export interface Notifier {
  /** Sends a DM. Returns where it was posted, or null when the recipient has no Slack user. */
  send(to: Recipient, note: Note): Promise<MessageRef | null>;
  /** Replaces a credential DM with a text that no longer contains the token. */
  redactCredential(ref: MessageRef, grant: Grant): Promise<void>;
  /** Replaces a message grantbot posted (with `send`) by this note. Idempotent. */
  replace(ref: MessageRef, note: Note): Promise<void>;
  /** Posts to the ops channel (no-op when none is configured). */
  ops(note: Note): Promise<void>;
}

export interface Log {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  child(bindings: Record<string, unknown>): Log;
}

export interface Metrics {
  requestFiled(resource: string): void;
  activated(resource: string, latencyMs: number): void;
  ended(resource: string, reason: string): void;
  /** Scheduled expiry -> membership removal confirmed. */
  expiryLag(ms: number): void;
  jobFailed(kind: string): void;
}

/** Timers, injectable so tests can drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}
