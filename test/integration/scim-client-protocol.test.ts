/**
 * What the SCIM client puts on the wire, per profile: PatchOp shapes, filter encoding,
 * caching rules and the guard against a filterless remove. Runs against the scimmy test server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe("SCIM client on the wire, generic profile", () => {
  let server: ScimTestServer;
  let dir: ScimGroupDirectory;
  beforeAll(async () => {
    server = await ScimTestServer.start({ pageSize: 20 });
    dir = new ScimGroupDirectory({ name: "idp", baseUrl: `${server.url}/`, token: server.token, profile: "generic" });
  });
  afterAll(() => server.close());
  beforeEach(() => server.clearRequests());

  it("adds with one PATCH op on members and removes with a members[value eq] path", async () => {
    const user = server.createUser({ userName: "pat@example.com" });
    const group = server.createGroup("patchers");
    await dir.addMember(group.id, user.id);
    await dir.removeMember(group.id, user.id);
    const patches = server.requests().filter((r) => r.method === "PATCH");
    expect(patches.map((p) => p.body)).toEqual([
      { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: user.id }] }] },
      { schemas: [PATCH_OP], Operations: [{ op: "remove", path: `members[value eq "${user.id}"]` }] },
    ]);
    expect(server.patchCount("patchers")).toBe(2);
  });

  it("refuses to send a remove or add without a concrete member id", async () => {
    const keep = server.createUser({ userName: "keep@example.com" });
    const group = server.createGroup("guarded", [keep.id]);
    await expect(dir.removeMember(group.id, "")).rejects.toThrow(/empty member id/);
    await expect(dir.removeMember(group.id, "   ")).rejects.toThrow(/empty member id/);
    await expect(dir.addMember(group.id, "")).rejects.toThrow(/empty member id/);
    await expect(dir.removeMember("", keep.id)).rejects.toThrow(/empty group id/);
    expect(server.requests()).toHaveLength(0);
    expect(server.members("guarded")).toEqual(["keep@example.com"]);
  });

  it("sends the lower-cased email as a quoted, escaped and URL-encoded filter", async () => {
    await dir.findUser('Mixed.Case+"x\\y"@Example.com');
    const [request] = server.requests();
    expect(request?.path).toBe("/Users");
    const filter = new URLSearchParams(request?.query).get("filter");
    expect(filter).toBe('userName eq "mixed.case+\\"x\\\\y\\"@example.com"');
    expect(request?.query).not.toContain("+");
    expect(request?.headers.authorization).toBe(`Bearer ${server.token}`);
    expect(request?.headers["user-agent"]).toMatch(/^grantbot-scim\//);
  });

  it("reads membership from the target every time, so out-of-band changes show at once", async () => {
    const user = server.createUser({ userName: "drift@example.com" });
    const group = server.createGroup("drifting");
    expect(await dir.isMember(group.id, user.id)).toBe(false);
    server.addMemberDirectly("drifting", "drift@example.com");
    expect(await dir.isMember(group.id, user.id)).toBe(true);
    server.removeMemberDirectly("drifting", "drift@example.com");
    expect(await dir.isMember(group.id, user.id)).toBe(false);
  });

  it("caches findGroup and forgets the group once the target answers 404 for it", async () => {
    const first = server.createGroup("cached");
    expect(await dir.findGroup("cached")).toEqual({ id: first.id, displayName: "cached" });
    expect(await dir.findGroup("cached")).toEqual({ id: first.id, displayName: "cached" });
    expect(server.requests().filter((r) => r.path === "/Groups")).toHaveLength(1);
    server.deleteGroup("cached");
    const second = server.createGroup("cached");
    const user = server.createUser({ userName: "cache-user@example.com" });
    await expect(dir.addMember(first.id, user.id)).rejects.toMatchObject({ code: "target_rejected", status: 404 });
    expect(await dir.findGroup("cached")).toEqual({ id: second.id, displayName: "cached" });
  });

  it("looks a group up once when many callers ask for it at the same time", async () => {
    const fresh = new ScimGroupDirectory({ name: "idp", baseUrl: `${server.url}/`, token: server.token, profile: "generic" });
    const group = server.createGroup("burst");
    const found = await Promise.all(Array.from({ length: 10 }, () => fresh.findGroup("burst")));
    expect(new Set(found.map((g) => g?.id))).toEqual(new Set([group.id]));
    expect(server.requests().filter((r) => r.method === "GET" && r.path === "/Groups")).toHaveLength(1);
    // A lookup that found nothing is not kept: the next call asks again.
    await Promise.all([fresh.findGroup("absent"), fresh.findGroup("absent")]);
    await fresh.findGroup("absent");
    expect(server.requests().filter((r) => r.method === "GET" && r.path === "/Groups")).toHaveLength(3);
  });

  it("treats an add answered 409 as success when the user is a member", async () => {
    const user = server.createUser({ userName: "dup@example.com", groups: ["conflicts"] });
    const group = server.store.requireGroup("conflicts");
    server.failWith({ status: 409, scimType: "uniqueness", detail: "already a member", match: (m) => m === "PATCH" });
    await expect(dir.addMember(group.id, user.id)).resolves.toBeUndefined();
  });

  it("treats a remove answered 400 noTarget as already removed", async () => {
    const user = server.createUser({ userName: "gone@example.com" });
    const group = server.createGroup("no-target");
    server.failWith({ status: 400, scimType: "noTarget", detail: "no match", match: (m) => m === "PATCH" });
    await expect(dir.removeMember(group.id, user.id)).resolves.toBeUndefined();
  });

  it("follows startIndex by what the server returned when it pages smaller than asked", async () => {
    const names = Array.from({ length: 45 }, (_, i) => `page-${i}@example.com`);
    const ids = names.map((userName) => server.createUser({ userName }).id);
    const group = server.createGroup("paged", ids);
    server.clearRequests();
    const members = await dir.listMembers(group.id);
    expect(members.map((m) => m.userName).sort()).toEqual([...names].sort());
    const starts = server
      .requests()
      .filter((r) => r.path === "/Users")
      .map((r) => new URLSearchParams(r.query));
    expect(starts.every((q) => q.get("count") === "100")).toBe(true);
    expect(starts.map((q) => Number(q.get("startIndex"))).slice(0, 3)).toEqual([1, 21, 41]);
  });

  it("reports a server that ignores startIndex instead of looping on page one", async () => {
    const page = { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 500, startIndex: 1, Resources: [] as unknown[] };
    page.Resources = Array.from({ length: 10 }, (_, i) => ({ id: `x${i}`, userName: `x${i}@example.com` }));
    server.respondWith({ status: 200, body: page, times: 5, match: (m, p) => m === "GET" && p === "/Users" });
    const error = await dir.listUsers(() => {}).catch((e: unknown) => e);
    server.clearFaults();
    expect(error).toMatchObject({ code: "bad_input" });
    expect(String((error as Error).message)).toMatch(/startIndex 11, got 1/);
  });
});

describe("SCIM client on the wire, aws-identity-center profile", () => {
  let server: ScimTestServer;
  let dir: ScimGroupDirectory;
  beforeAll(async () => {
    server = await ScimTestServer.start({ profile: "aws-identity-center", pageSize: 20 });
    dir = new ScimGroupDirectory({ name: "aws", baseUrl: server.url, token: server.token, profile: "aws-identity-center" });
  });
  afterAll(() => server.close());
  beforeEach(() => server.clearRequests());

  it("removes with the AWS members+value shape and leaves the other members", async () => {
    const a = server.createUser({ userName: "aws-a@example.com" });
    const b = server.createUser({ userName: "aws-b@example.com" });
    const group = server.createGroup("aws-team", [a.id, b.id]);
    await dir.removeMember(group.id, a.id);
    expect(server.requests().find((r) => r.method === "PATCH")?.body).toEqual({
      schemas: [PATCH_OP],
      Operations: [{ op: "remove", path: "members", value: [{ value: a.id }] }],
    });
    expect(server.members("aws-team")).toEqual(["aws-b@example.com"]);
  });

  it("checks membership with the id-and-members filter, since GET /Groups returns no members", async () => {
    const a = server.createUser({ userName: "aws-member@example.com", groups: ["aws-readers"] });
    const group = server.store.requireGroup("aws-readers");
    expect(await dir.isMember(group.id, a.id)).toBe(true);
    const filter = new URLSearchParams(server.requests().at(-1)?.query).get("filter");
    expect(filter).toBe(`id eq "${group.id}" and members eq "${a.id}"`);
  });

  it("lists members through groups.value with cursor paging", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => server.createUser({ userName: `aws-p${i}@example.com` }).id);
    const group = server.createGroup("aws-paged", ids);
    server.clearRequests();
    expect(await dir.listMembers(group.id)).toHaveLength(30);
    const queries = server.requests().map((r) => new URLSearchParams(r.query));
    expect(queries.map((q) => q.has("startIndex"))).toEqual([false, false]);
    expect(queries[0]?.get("cursor")).toBe("");
    expect(queries[1]?.get("cursor")).not.toBe("");
  });
});
