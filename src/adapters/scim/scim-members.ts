/**
 * Listing a group's members with their userNames, per profile:
 * - `group-read` (RFC providers): GET /Groups/{id}?attributes=members gives the member ids
 *   (members are not paged in SCIM). `display` is usually a display name, not the userName, so
 *   userNames are resolved: for a few members one GET /Users/{id} each; for more than
 *   DIRECT_LOOKUP_MAX, by paging through /Users (startIndex/count) until every id is seen, then
 *   single GETs for any left. Members of type "Group" (nested groups) are skipped, and so are
 *   ids that no longer resolve to a user (404: a dangling reference). Single GETs run at most
 *   `max_concurrency` at a time (the HTTP layer enforces it anyway).
 * - `users-by-group` (AWS, whose GET /Groups returns empty members):
 *   GET /Users?filter=groups.value eq "G", cursor-paged.
 */
import type { ScimUserRef } from "../../services/ports/index.ts";
import { mapLimit } from "./concurrency.ts";
import { eq, normaliseUserName } from "./scim-filter.ts";
import { segment, type Query, type ScimHttp } from "./scim-http.ts";
import { forEachPage } from "./scim-paging.ts";
import type { ScimProfile } from "./profiles.ts";
import { GroupSchema, UserRefSchema } from "./scim-schemas.ts";
import { ScimTargetError } from "./scim-errors.ts";

const DIRECT_LOOKUP_MAX = 10;

/** `attributes=...` when the profile allows it, else nothing (the server sends everything). */
export function attributes(profile: ScimProfile, names: string): Query {
  return profile.supportsAttributes ? { attributes: names } : {};
}

/** GET /Users/{id} -> userName, or null on 404. */
export async function userNameById(http: ScimHttp, profile: ScimProfile, id: string): Promise<string | null> {
  try {
    const user = await http.getJson(`/Users/${segment(id)}`, attributes(profile, "id,userName"), UserRefSchema, "User");
    return normaliseUserName(user.userName);
  } catch (error) {
    if (error instanceof ScimTargetError && error.status === 404) return null;
    throw error;
  }
}

/**
 * id -> userName answers remembered for a short while, so that listing many groups (a reconcile
 * run) pages through the target's users once, not once per group. Entries older than `maxAgeMs`
 * are ignored; the repair jobs re-check every change against the target anyway.
 */
export class UserNameCache {
  readonly #entries = new Map<string, { userName: string; at: number }>();
  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = 60_000,
  ) {}

  get(id: string): string | undefined {
    const hit = this.#entries.get(id);
    return hit && this.now() - hit.at <= this.maxAgeMs ? hit.userName : undefined;
  }

  set(id: string, userName: string): void {
    this.#entries.set(id, { userName, at: this.now() });
  }
}

export async function listGroupMembers(http: ScimHttp, profile: ScimProfile, groupId: string, cache?: UserNameCache): Promise<ScimUserRef[]> {
  const found = new Map<string, string>();

  if (profile.memberListing === "users-by-group") {
    await forEachPage(http, profile, { path: "/Users", query: { filter: eq("groups.value", groupId) }, item: UserRefSchema }, (users) => {
      for (const user of users) found.set(user.id, normaliseUserName(user.userName));
    });
    return [...found].map(([id, userName]) => ({ id, userName }));
  }

  const group = await http.getJson(`/Groups/${segment(groupId)}`, attributes(profile, "members"), GroupSchema, "Group");
  const ids = [
    ...new Set((group.members ?? []).filter((m) => m.type?.toLowerCase() !== "group").map((m) => m.value)),
  ];
  if (ids.length === 0) return [];

  for (const id of ids) {
    const known = cache?.get(id);
    if (known !== undefined) found.set(id, known);
  }
  if (ids.length - found.size > DIRECT_LOOKUP_MAX) {
    const wanted = new Set(ids);
    await forEachPage(http, profile, { path: "/Users", query: attributes(profile, "id,userName"), item: UserRefSchema }, (users) => {
      for (const user of users) {
        const userName = normaliseUserName(user.userName);
        cache?.set(user.id, userName);
        if (wanted.has(user.id)) found.set(user.id, userName);
      }
      return found.size < wanted.size; // stop once every member is resolved
    });
  }
  const missing = ids.filter((id) => !found.has(id));
  const names = await mapLimit(missing, http.maxConcurrency, (id) => userNameById(http, profile, id));
  missing.forEach((id, i) => {
    const name = names[i];
    if (name) {
      found.set(id, name);
      cache?.set(id, name);
    }
  });
  return ids.filter((id) => found.has(id)).map((id) => ({ id, userName: found.get(id) as string }));
}
