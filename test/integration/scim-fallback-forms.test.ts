/**
 * "A 2xx is not proof": against the scimmy test server with its lies switched on, a membership
 * change the server answers 204 without applying is caught by the read-back and redone in the
 * next, safer PatchOp form; the client remembers the form that works for the target, so the next
 * batch sends it directly; when no form works the removal fails retryably.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.ts";
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { ensureMember, ensureNotMember, ensureNotMembers } from "../../src/services/targets/membership.ts";
import { ScimTestServer, type RecordedRequest, type ServerProfile } from "../fakes/scim-server/index.ts";

type Logged = { level: "warn" | "error"; msg: string; obj: Record<string, unknown> };

function recordingLog() {
  const lines: Logged[] = [];
  return {
    lines,
    warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: "warn", msg, obj }),
    error: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: "error", msg, obj }),
  };
}

const ops = (r: RecordedRequest) => (r.body as { Operations: { op: string; path?: string; value?: unknown }[] }).Operations;
const patches = (server: ScimTestServer) => server.requests().filter((r) => r.method === "PATCH");
const groupReads = (server: ScimTestServer, groupId: string) => server.requests().filter((r) => r.method === "GET" && r.path === `/Groups/${groupId}`);

let seq = 0;
function seedGroup(server: ScimTestServer, size: number) {
  const name = `team-${++seq}`;
  const users = Array.from({ length: size }, (_, i) => server.createUser({ userName: `${name}-u${i}@example.com` }));
  server.createGroup(name, users.map((u) => u.id));
  return { name, users, targets: users.map((u) => ({ email: u.userName, userId: u.id })) };
}

async function start(profile: ServerProfile = "generic") {
  const server = await ScimTestServer.start({ profile });
  const log = recordingLog();
  const dir = new ScimGroupDirectory({ name: "liar", baseUrl: server.url, token: server.token, profile, log });
  return { server, dir, log };
}

describe("batch removal against a server that answers 204 to an or-filter remove without applying it", () => {
  let server: ScimTestServer;
  let dir: ScimGroupDirectory;
  let log: ReturnType<typeof recordingLog>;
  beforeAll(async () => {
    ({ server, dir, log } = await start());
  });
  afterAll(() => server.close());
  beforeEach(() => server.clearRequests());

  it("costs one PATCH and one read-back per group when the server is honest", async () => {
    const honest = await start();
    try {
      const team = seedGroup(honest.server, 3);
      honest.server.clearRequests();
      const results = await ensureNotMembers(honest.dir, team.name, team.targets.slice(0, 2), { checkFirst: false });
      expect(results).toEqual(["removed", "removed"]);
      const group = honest.server.store.requireGroup(team.name);
      expect(patches(honest.server).map(ops)).toEqual([[{ op: "remove", path: `members[value eq "${team.users[0]!.id}" or value eq "${team.users[1]!.id}"]` }]]);
      expect(groupReads(honest.server, group.id)).toHaveLength(1);
      expect(honest.server.members(team.name)).toEqual([team.users[2]!.userName]);
    } finally {
      await honest.server.close();
    }
  });

  it("removes 2+ members through the single-member form, confirmed by read-back, and remembers that form", async () => {
    server.lies = { ignoredPatches: ["or-filter"] };
    const team = seedGroup(server, 3);
    server.clearRequests();
    const results = await ensureNotMembers(dir, team.name, team.targets.slice(0, 2), { checkFirst: false });
    expect(results).toEqual(["removed", "removed"]);
    expect(server.members(team.name)).toEqual([team.users[2]!.userName]);
    const [first, second, ...more] = patches(server);
    expect(more).toEqual([]);
    expect(first!.status).toBe(204);
    expect(ops(first!)).toEqual([{ op: "remove", path: `members[value eq "${team.users[0]!.id}" or value eq "${team.users[1]!.id}"]` }]);
    expect(ops(second!)).toEqual(team.users.slice(0, 2).map((u) => ({ op: "remove", path: `members[value eq "${u.id}"]` })));
    // read back after each form: the ignored one and the one that worked
    const group = server.store.requireGroup(team.name);
    expect(groupReads(server, group.id)).toHaveLength(2);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "warn", obj: expect.objectContaining({ target: "liar", kind: "remove", from: "or-filter", to: "value-filter" }) }));
  });

  it("sends the remembered form directly in the next batch: one PATCH, one read-back", async () => {
    const team = seedGroup(server, 4);
    server.clearRequests();
    const results = await ensureNotMembers(dir, team.name, team.targets.slice(0, 3), { checkFirst: false });
    expect(results).toEqual(["removed", "removed", "removed"]);
    expect(patches(server).map(ops)).toEqual([team.users.slice(0, 3).map((u) => ({ op: "remove", path: `members[value eq "${u.id}"]` }))]);
    expect(groupReads(server, server.store.requireGroup(team.name).id)).toHaveLength(1);
    expect(server.members(team.name)).toEqual([team.users[3]!.userName]);
  });

  it("falls back to members+value ops when every filter form is ignored, never sending a remove without a value", async () => {
    server.lies = { ignoredPatches: ["or-filter", "value-filter"] };
    const team = seedGroup(server, 3);
    server.clearRequests();
    expect(await ensureNotMembers(dir, team.name, team.targets.slice(0, 2), { checkFirst: false })).toEqual(["removed", "removed"]);
    expect(server.members(team.name)).toEqual([team.users[2]!.userName]);
    const sent = patches(server).map(ops);
    // value-filter (ignored), value-filter one PATCH per member (ignored), then members+value
    expect(sent.at(-1)).toEqual(team.users.slice(0, 2).map((u) => ({ op: "remove", path: "members", value: [{ value: u.id }] })));
    for (const op of sent.flat()) {
      if (op.path === "members") expect(op.value).toEqual([{ value: expect.stringMatching(/\S/) }]);
      else expect(op.path).toMatch(/^members\[value eq "[^"]+"\]$/);
    }

    server.clearRequests();
    const next = seedGroup(server, 3);
    server.clearRequests();
    expect(await ensureNotMembers(dir, next.name, next.targets.slice(0, 2), { checkFirst: false })).toEqual(["removed", "removed"]);
    expect(patches(server)).toHaveLength(1);
  });

  it("uses the remembered form for a single removal too (reconcile)", async () => {
    const team = seedGroup(server, 2);
    server.clearRequests();
    expect(await ensureNotMember(dir, team.users[0]!.userName, team.name)).toBe("removed");
    expect(patches(server).map(ops)).toEqual([[{ op: "remove", path: "members", value: [{ value: team.users[0]!.id }] }]]);
  });

  it("fails retryably, member by member, when the server ignores every form", async () => {
    server.lies = { ignoredPatches: ["or-filter", "value-filter", "members-value"] };
    const team = seedGroup(server, 3);
    server.clearRequests();
    const results = await ensureNotMembers(dir, team.name, team.targets.slice(0, 2), { checkFirst: false });
    for (const r of results) expect(r).toMatchObject({ code: "target_unavailable", retryable: true });
    expect(results[0]).toBeInstanceOf(AppError);
    expect(server.members(team.name)).toHaveLength(3);
    expect(patches(server).every((p) => p.status === 204)).toBe(true);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "error", msg: "SCIM target applied no form of member removal" }));
    server.lies = {};
    // once the server behaves, the retry succeeds
    expect(await ensureNotMembers(dir, team.name, team.targets.slice(0, 2))).toEqual(["removed", "removed"]);
  });
});

describe("adds against a server that ignores the usual add form", () => {
  it("adds through the path-less form, remembers it, and fails retryably when no form is applied", async () => {
    const { server, dir, log } = await start();
    try {
      server.lies = { ignoredPatches: ["members-path-add"] };
      const a = server.createUser({ userName: "add-a@example.com" });
      const b = server.createUser({ userName: "add-b@example.com" });
      server.createGroup("adders");
      expect(await ensureMember(dir, a.userName, "adders", { checkFirst: false })).toBe(a.id);
      expect(server.members("adders")).toEqual([a.userName]);
      expect(log.lines).toContainEqual(expect.objectContaining({ obj: expect.objectContaining({ kind: "add", from: "members-path", to: "no-path" }) }));
      server.clearRequests();
      await ensureMember(dir, b.userName, "adders", { checkFirst: false });
      expect(patches(server).map(ops)).toEqual([[{ op: "add", value: { members: [{ value: b.id }] } }]]);

      server.lies = { ignoredPatches: ["members-path-add", "no-path-add"] };
      const c = server.createUser({ userName: "add-c@example.com" });
      await expect(ensureMember(dir, c.userName, "adders")).rejects.toMatchObject({ code: "target_unavailable", retryable: true });
      expect(server.members("adders")).not.toContain(c.userName);
    } finally {
      await server.close();
    }
  });
});

describe("AWS profile against a server that ignores its members+value remove", () => {
  it("falls back to the filter form, read back through the id-and-members filter", async () => {
    const { server, dir } = await start("aws-identity-center");
    try {
      server.lies = { ignoredPatches: ["members-value"] };
      const team = seedGroup(server, 3);
      server.clearRequests();
      expect(await ensureNotMembers(dir, team.name, team.targets.slice(0, 2), { checkFirst: false })).toEqual(["removed", "removed"]);
      expect(server.members(team.name)).toEqual([team.users[2]!.userName]);
      expect(ops(patches(server).at(-1)!)).toEqual(team.users.slice(0, 2).map((u) => ({ op: "remove", path: `members[value eq "${u.id}"]` })));
      server.clearRequests();
      const next = seedGroup(server, 2);
      server.clearRequests();
      expect(await ensureNotMembers(dir, next.name, next.targets, { checkFirst: false })).toEqual(["removed", "removed"]);
      expect(patches(server)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
