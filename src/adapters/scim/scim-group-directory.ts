/**
 * GroupDirectory over SCIM 2.0 (RFC 7644), plus the user reads the directory feature needs.
 *
 * - userNames are emails, lower-cased on our side before every query and in every result
 *   (RFC 7643 makes userName case-insensitive, many providers compare exactly).
 * - Membership changes are PATCHes on the Group, never PUT (a PUT from a stale read drops
 *   people). One member per PATCH. 200-with-body and 204 both mean success.
 * - addMember is idempotent: a provider answering 409 for an existing member is checked with
 *   isMember. removeMember is idempotent: 400 `noTarget` (the filter matched no member, RFC
 *   7644 §3.5.2) counts as success. No remove is ever sent without a concrete member id.
 * - isMember reads the target every time; see profiles.ts for the per-profile strategy.
 * - findGroup caches displayName -> group in memory; any 404 on that group drops the entry.
 */
import { AppError } from "../../domain/errors.ts";
import type { GroupDirectory, ScimGroupRef, ScimUserRef } from "../../services/ports.ts";
import { addMemberOperation, assertConcreteId, patchBody, removeMemberOperation, removeMembersOperation, scimProfile, type ScimProfile, type ScimProfileName } from "./profiles.ts";
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
}

export const DEFAULT_SCIM_TIMEOUT_MS = 10_000;
export const DEFAULT_USER_AGENT = "grantbot-scim/0.1 (+https://github.com/grantbot)";

export class ScimGroupDirectory implements GroupDirectory, ScimUserSource {
  readonly name: string;
  readonly profile: ScimProfile;
  readonly #http: ScimHttp;
  readonly #groups = new Map<string, ScimGroupRef>();
  readonly #groupLookups = new Map<string, Promise<ScimGroupRef | null>>();
  /** The provider answered 400 to a combined `members[... or ...]` remove path. */
  #orPathRejected = false;
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
    });
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

  async addMember(groupId: string, userId: string): Promise<void> {
    const body = patchBody(this.profile, [addMemberOperation(userId)]);
    try {
      await this.#patchGroup(groupId, body);
    } catch (error) {
      if (error instanceof ScimTargetError && error.status === 409 && (await this.isMember(groupId, userId))) return;
      throw error;
    }
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    const body = patchBody(this.profile, [removeMemberOperation(this.profile, userId)]);
    try {
      await this.#patchGroup(groupId, body);
    } catch (error) {
      if (error instanceof ScimTargetError && error.status === 400 && error.scimType === "noTarget") return;
      throw error;
    }
  }

  /**
   * Removes several members, `profile.maxMembersPerPatch` per PATCH (one request for a whole
   * batch on most providers). A PATCH is atomic (RFC 7644 §3.5.2): when a chunk is refused with
   * 400 `noTarget` (one of its members was already gone), its members are removed one by one.
   * Idempotent; every id must be concrete.
   */
  async removeMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    const ids = [...new Set(userIds)];
    const size = Math.max(1, this.profile.maxMembersPerPatch);
    for (let i = 0; i < ids.length; i += size) {
      const chunk = ids.slice(i, i + size);
      if (chunk.length === 1) {
        await this.removeMember(groupId, chunk[0]!);
        continue;
      }
      if (this.profile.removeShape === "value-path" && !this.#orPathRejected) {
        // One operation, `members[value eq "A" or value eq "B"]` (RFC 7644 §3.5.2: a valuePath
        // filter may combine expressions): servers apply it in one pass instead of once per
        // operation. It removes the members present; noTarget = none of them was.
        try {
          await this.#patchGroup(groupId, patchBody(this.profile, [removeMembersOperation(chunk)]));
          continue;
        } catch (error) {
          if (error instanceof ScimTargetError && error.status === 400 && error.scimType === "noTarget") continue;
          if (!(error instanceof ScimTargetError && error.status === 400)) throw error;
          this.#orPathRejected = true; // this provider takes simple paths only: one op per member from now on
        }
      }
      try {
        await this.#patchGroup(groupId, patchBody(this.profile, chunk.map((id) => removeMemberOperation(this.profile, id))));
      } catch (error) {
        if (!(error instanceof ScimTargetError && error.status === 400 && error.scimType === "noTarget")) throw error;
        for (const id of chunk) await this.removeMember(groupId, id);
      }
    }
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

  async listUsers(
    onPage: (users: ScimUser[]) => Promise<void> | void,
    options: ListUsersOptions = {},
  ): Promise<{ pages: number; users: number }> {
    const query = options.filter ? { filter: options.filter } : {};
    const stats = await forEachPage(
      this.#http,
      this.profile,
      { path: "/Users", query, item: UserSchema, ...(options.count ? { count: options.count } : {}) },
      async (users) => {
        await onPage(users.map((u) => toScimUser(u)));
      },
    );
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
