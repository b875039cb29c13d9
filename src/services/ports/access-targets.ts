/**
 * Access targets: the systems (SCIM 2.0 service providers) whose groups grantbot changes.
 */

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
export interface AccessTarget {
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
  /**
   * Optional: when the user last used the target (sign-in), epoch ms, or null when the target
   * says never. Absent = the target's profile cannot read it (access reviews then say "unknown";
   * no SCIM profile grantbot ships can: see the README's "Access reviews").
   */
  lastUse?(email: string): Promise<number | null>;
}

export interface AccessTargets {
  /** The directory for a target named in GRANTBOT_CONFIG; throws config_invalid when unknown. */
  get(target: string): AccessTarget;
  names(): string[];
}
