/**
 * Bulk seeding of the SCIM test servers for the benchmark: the servers' own test-control API looks
 * users up by scanning, which is quadratic at 10,000 users, so these keep one userName index per
 * server and write to its store directly.
 */
import type { ScimTestServer } from "../fakes/scim-server/index.ts";

const indexes = new WeakMap<ScimTestServer, Map<string, string>>();

/** SCIM ids of these users (in order), created when missing. */
export function ensureUsers(server: ScimTestServer, users: { userName: string; displayName?: string }[]): string[] {
  let byName = indexes.get(server);
  if (!byName) indexes.set(server, (byName = new Map([...server.store.users.values()].map((u) => [u.userName.toLowerCase(), u.id]))));
  return users.map((u) => {
    let id = byName.get(u.userName.toLowerCase());
    if (!id) {
      id = server.store.newId("u");
      server.store.users.set(id, { id, userName: u.userName, displayName: u.displayName ?? u.userName, active: true });
      byName.set(u.userName.toLowerCase(), id);
    }
    return id;
  });
}

/** Adds members straight into the group (as earlier activations would have left them). */
export function addMembers(server: ScimTestServer, group: string, userIds: string[]): void {
  const g = server.store.requireGroup(group);
  const present = new Set(g.members);
  server.store.saveGroup({ ...g, members: [...g.members, ...userIds.filter((id) => !present.has(id) && present.add(id))] });
}
