/**
 * The benchmark's view of a SCIM target's test server: seeding in bulk (the server's own
 * test-control API looks users up by scanning, quadratic at 10,000 users) and reading what it
 * holds and what it was sent. Async so a server could live in another process; one was tried there
 * (its own process per target) and made no difference on 2 cores while adding a fourth busy process.
 */
import type { World } from "../crash/world.ts";
import type { RecordedRequest, ScimTestServer } from "../fakes/scim-server/index.ts";

export interface BenchScim {
  readonly url: string;
  readonly token: string;
  ensureUsers(users: { userName: string; displayName?: string }[]): Promise<string[]>;
  createGroup(displayName: string): Promise<{ id: string; displayName: string }>;
  addMembers(group: string, userIds: string[]): Promise<void>;
  members(group: string): Promise<string[]>;
  requests(): Promise<RecordedRequest[]>;
  clearRequests(): Promise<void>;
}

function local(server: ScimTestServer): BenchScim {
  const byName = new Map<string, string>();
  return {
    url: server.url,
    token: server.token,
    async ensureUsers(users) {
      if (byName.size === 0) for (const u of server.store.users.values()) byName.set(u.userName.toLowerCase(), u.id);
      return users.map((u) => {
        let id = byName.get(u.userName.toLowerCase());
        if (!id) {
          id = server.store.newId("u");
          server.store.users.set(id, { id, userName: u.userName, displayName: u.displayName ?? u.userName, active: true });
          byName.set(u.userName.toLowerCase(), id);
        }
        return id;
      });
    },
    createGroup: async (displayName) => server.createGroup(displayName),
    async addMembers(group, userIds) {
      const g = server.store.requireGroup(group);
      const present = new Set(g.members);
      server.store.saveGroup({ ...g, members: [...g.members, ...userIds.filter((id) => !present.has(id) && present.add(id))] });
    },
    members: async (group) => server.members(group),
    requests: async () => server.requests(),
    clearRequests: async () => server.clearRequests(),
  };
}

const locals = new WeakMap<ScimTestServer, BenchScim>();

export function scimTarget(world: World, name: string): BenchScim {
  const server = world.scim.get(name);
  if (!server) throw new Error(`no SCIM target ${name}`);
  let wrapped = locals.get(server);
  if (!wrapped) locals.set(server, (wrapped = local(server)));
  return wrapped;
}

export function scimTargets(world: World): BenchScim[] {
  return [...world.scim.keys()].map((name) => scimTarget(world, name));
}
