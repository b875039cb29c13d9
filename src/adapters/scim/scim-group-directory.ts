/**
 * AccessTarget over SCIM 2.0 (RFC 7644), plus the user reads the directory feature needs.
 *
 * - userNames are emails, lower-cased on our side before every query and in every result
 *   (RFC 7643 makes userName case-insensitive, many providers compare exactly).
 * - Membership changes are PATCHes on the Group, never PUT (a PUT from a stale read drops
 *   people). 200-with-body and 204 both mean the server took the request, not that it applied
 *   it: addMember and removeMembers read the group back and fall back to safer PatchOp forms,
 *   remembering per target the form that works (member-forms.ts, membership-changes.ts).
 * - addMember is idempotent: a provider answering 409 for an existing member is checked with
 *   isMember. removeMember is idempotent: 400 `noTarget` (the filter matched no member, RFC
 *   7644 §3.5.2) counts as success. No remove is ever sent without a concrete member id.
 * - At most `maxConcurrency` requests are in flight to the target at once (scim-http.ts).
 * - isMember reads the target every time; see profiles.ts for the per-profile strategy.
 * - findGroup caches displayName -> group in memory; any 404 on that group drops the entry.
 */
import { AppError } from "../../domain/errors.ts";
import type { AccessTarget, ScimGroupRef, ScimUserRef } from "../../services/ports/index.ts";
import { DEFAULT_MAX_CONCURRENCY, mapLimit } from "./concurrency.ts";
import { removeRequests } from "./member-forms.ts";
import { MembershipChanges, type ScimLog } from "./membership-changes.ts";
import { assertConcreteId, scimProfile, type ScimProfile, type ScimProfileName } from "./profiles.ts";
import { ScimTargetError } from "./scim-errors.ts";
import { and, eq, normaliseUserName } from "./scim-filter.ts";
import { ScimHttp, segment } from "./scim-http.ts";
import { attributes, listGroupMembers, UserNameCache } from "./scim-members.ts";
import { firstPage, forEachPage } from "./scim-paging.ts";
import { GroupSchema, UserRefSchema, UserSchema } from "./scim-schemas.ts";
import { toScimUser, type ListUsersOptions, type ScimUser, type ScimUserSource } from "./scim-users.ts";

export interface ScimGroupDirectoryOptions {
  /** Target name from GRANTBOT_CONFIG; appears in every error message. */
  name: string;
  /** SCIM base URL, e.g. https://scim.us-east-1.amazonaws.com/abc/scim/v2 */
  baseUrl: string;
  /** Bearer token; never logged nor put in errors. */
  token: string;
  profile: ScimProfileName;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
  /** Clock for Retry-After HTTP dates (default Date.now). */
  now?: () => number;
  /** Most requests in flight to this target at once (`max_concurrency`, default 8). */
  maxConcurrency?: number;
  /** Where a switch of PatchOp form (the provider ignored a change) is reported. */
  log?: ScimLog;
}

export const DEFAULT_SCIM_TIMEOUT_MS = 10_000;
export const DEFAULT_USER_AGENT = "grantbot-scim/0.1 (+https://github.com/grantbot)";

export class ScimGroupDirectory implements AccessTarget, ScimUserSource {
  readonly name: string;
  readonly profile: ScimProfile;
  readonly #http: ScimHttp;
  readonly #groups = new Map<string, ScimGroupRef>();
  readonly #groupLookups = new Map<string, Promise<ScimGroupRef | null>>();
  /** Changes read back, and which PatchOp forms this target applies (member-forms.ts). */
  readonly #changes: MembershipChanges;
  /** userNames of member ids seen lately (listMembers of many groups reads the users once). */
  readonly #userNames: UserNameCache;

  constructor(options: ScimGroupDirectoryOptions) {
    this.name = options.name;
    this.profile = scimProfile(options.profile);
    const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    if (this.profile.requiresUserAgent && userAgent.trim() === "") {
      throw new AppError("config_invalid", `SCIM target ${options.name}: profile ${options.profile} requires a User-Agent`);
    }
    this.#userNames = new UserNameCache(options.now ?? Date.now);
    this.#http = new ScimHttp({
      target: options.name,
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs ?? DEFAULT_SCIM_TIMEOUT_MS,
      userAgent,
      fetch: options.fetch ?? globalThis.fetch,
      now: options.now ?? Date.now,
      maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    });
    this.#changes = new MembershipChanges({
      target: this.name,
      profile: this.profile,
      patch: (groupId, body) => this.#patchGroup(groupId, body),
      stillMembers: (groupId, ids) => this.#stillMembers(groupId, ids),
      log: options.log,
    });
  }

  /** Most requests in flight to this target at once. */
  get maxConcurrency(): number {
    return this.#http.maxConcurrency;
  }

  async findUser(email: string): Promise<ScimUserRef | null> {
    const userName = normaliseUserName(email);
    if (userName === "") return null;
    const users = await firstPage(this.#http, "/Users", { filter: eq("userName", userName), ...attributes(this.profile, "id,userName") }, UserRefSchema);
    // Only an exact (case-insensitive) match counts: a server that ignored the filter must not
    // make us act on somebody else.
    const match = users.find((u) => normaliseUserName(u.userName) === userName);
    return match ? { id: match.id, userName } : null;
  }

  async findGroup(displayName: string): Promise<ScimGroupRef | null> {
    const cached = this.#groups.get(displayName);
    if (cached) return cached;
    // Concurrent lookups of one group (a burst of removals right after start-up) share one request.
    const pending = this.#groupLookups.get(displayName);
    if (pending) return pending;
    const lookup = this.#lookupGroup(displayName).finally(() => this.#groupLookups.delete(displayName));
    this.#groupLookups.set(displayName, lookup);
    return lookup;
  }

  async #lookupGroup(displayName: string): Promise<ScimGroupRef | null> {
    const query = { filter: eq("displayName", displayName), ...(this.profile.supportsAttributes ? { excludedAttributes: "members" } : {}) };
    const groups = await firstPage(this.#http, "/Groups", query, GroupSchema);
    const match =
      groups.find((g) => g.displayName === displayName) ??
      groups.find((g) => g.displayName?.toLowerCase() === displayName.toLowerCase());
    if (!match) return null;
    const ref = { id: match.id, displayName: match.displayName ?? displayName };
    this.#groups.set(displayName, ref);
    return ref;
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    assertConcreteId(groupId, "group id");
    assertConcreteId(userId, "member id");
    return this.#forgetOn404(groupId, async () => {
      if (this.profile.membershipCheck === "members-eq-filter") {
        const groups = await firstPage(this.#http, "/Groups", { filter: and(eq("id", groupId), eq("members", userId)) }, GroupSchema);
        return groups.some((g) => g.id === groupId);
      }
      const group = await this.#http.getJson(`/Groups/${segment(groupId)}`, attributes(this.profile, "members"), GroupSchema, "Group");
      return (group.members ?? []).some((m) => m.value === userId);
    });
  }

  /** addMember reads back: ensureMember need not read again. */
  readonly addMemberReadsBack = true;

  /**
   * Adds and reads back (one PATCH and one read when the target applies the remembered form).
   * Throws `target_unavailable` when no add form takes effect.
   */
  async addMember(groupId: string, userId: string): Promise<void> {
    assertConcreteId(userId, "member id");
    await this.#changes.add(groupId, userId);
  }

  /** One PATCH in the remove form remembered for this target; not read back (removeMembers is). */
  async removeMember(groupId: string, userId: string): Promise<void> {
    const [request] = removeRequests(this.profile, this.#changes.removeForm, [userId]);
    try {
      await this.#patchGroup(groupId, request!.body);
    } catch (error) {
      if (error instanceof ScimTargetError && error.status === 400 && error.scimType === "noTarget") return;
      throw error;
    }
  }

  /**
   * Removes several members and reads the group back: one PATCH per `profile.maxMembersPerPatch`
   * members (one request for a whole batch on most providers) and one read when the target
   * applies the remembered form; safer forms are tried while the read-back shows members left.
   * Resolves with the ids still members (empty unless no form took effect). Idempotent; every
   * id must be concrete.
   */
  async removeMembers(groupId: string, userIds: readonly string[]): Promise<Set<string>> {
    assertConcreteId(groupId, "group id");
    for (const id of userIds) assertConcreteId(id, "member id");
    if (userIds.length === 0) return new Set();
    return this.#changes.remove(groupId, userIds);
  }

  /** Which of `ids` are members now: one group read, or isMember per id where there is none (AWS). */
  async #stillMembers(groupId: string, ids: readonly string[]): Promise<Set<string>> {
    const all = await this.memberIds(groupId);
    if (all) return new Set(ids.filter((id) => all.has(id)));
    const flags = await mapLimit(ids, this.maxConcurrency, (id) => this.isMember(groupId, id));
    return new Set(ids.filter((_, i) => flags[i]));
  }

  /**
   * The ids of the group's members in one read (never cached): what isMember reads, for many
   * users at once. Null when the profile has no such read (AWS returns groups without members;
   * use isMember per user there).
   */
  async memberIds(groupId: string): Promise<Set<string> | null> {
    if (this.profile.membershipCheck !== "group-read") return null;
    assertConcreteId(groupId, "group id");
    return this.#forgetOn404(groupId, async () => {
      const group = await this.#http.getJson(`/Groups/${segment(groupId)}`, attributes(this.profile, "members"), GroupSchema, "Group");
      return new Set((group.members ?? []).map((m) => m.value));
    });
  }

  async listMembers(groupId: string): Promise<ScimUserRef[]> {
    assertConcreteId(groupId, "group id");
    return this.#forgetOn404(groupId, () => listGroupMembers(this.#http, this.profile, groupId, this.#userNames));
  }

  async getUser(id: string): Promise<ScimUser | null> {
    assertConcreteId(id, "user id");
    try {
      const reply = await this.#http.request("GET", `/Users/${segment(id)}`);
      return toScimUser(this.#http.parse(UserSchema, reply.body, `GET /Users/${segment(id)}`, "User"));
    } catch (error) {
      if (error instanceof ScimTargetError && error.status === 404) return null;
      throw error;
    }
  }

  /** Every user, page by page; resolves only for a listing proven complete (scim-paging.ts). */
  async listUsers(onPage: (users: ScimUser[]) => Promise<void> | void, options: ListUsersOptions = {}): Promise<{ pages: number; users: number }> {
    const list = { path: "/Users", query: options.filter ? { filter: options.filter } : {}, item: UserSchema, ...(options.count ? { count: options.count } : {}) };
    const stats = await forEachPage(this.#http, this.profile, list, (users) => onPage(users.map((u) => toScimUser(u))));
    return { pages: stats.pages, users: stats.items };
  }

  async #patchGroup(groupId: string, body: Record<string, unknown>): Promise<void> {
    assertConcreteId(groupId, "group id");
    await this.#forgetOn404(groupId, async () => {
      const path = `/Groups/${segment(groupId)}`;
      const reply = await this.#http.request("PATCH", path, { body });
      // 204: no body. 200: the group (validated so a garbled success is noticed).
      if (reply.body !== undefined) this.#http.parse(GroupSchema, reply.body, `PATCH ${path}`, "Group");
    });
  }

  /** Runs `fn`; a 404 for this group drops it from the displayName cache before rethrowing. */
  async #forgetOn404<T>(groupId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ScimTargetError && error.status === 404) {
        for (const [displayName, ref] of this.#groups) if (ref.id === groupId) this.#groups.delete(displayName);
      }
      throw error;
    }
  }
}
