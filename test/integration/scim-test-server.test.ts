/**
 * The SCIM test server itself: the scimmy deviations it fixes, checked with plain HTTP so the
 * client's own defences cannot hide a server bug.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScimTestServer } from "../fakes/scim-server/index.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

function client(server: ScimTestServer) {
  const headers = { authorization: `Bearer ${server.token}`, "content-type": "application/scim+json" };
  return {
    async get(path: string, query: Record<string, string> = {}) {
      const qs = new URLSearchParams(query).toString().replace(/\+/g, "%20");
      const res = await fetch(`${server.url}${path}${qs ? `?${qs}` : ""}`, { headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & { Resources?: Record<string, unknown>[] } };
    },
    async patch(path: string, operations: unknown[]) {
      const res = await fetch(`${server.url}${path}`, { method: "PATCH", headers, body: JSON.stringify({ schemas: [PATCH_OP], Operations: operations }) });
      return res.status;
    },
  };
}

describe("SCIM test server, generic", () => {
  let server: ScimTestServer;
  beforeAll(async () => {
    server = await ScimTestServer.start({ pageSize: 5 });
  });
  afterAll(() => server.close());

  it("rejects requests without the bearer token", async () => {
    const res = await fetch(`${server.url}/Users`);
    expect(res.status).toBe(401);
  });

  it("compares userName case-insensitively in filters", async () => {
    const user = server.createUser({ userName: "Mixed.Case@Example.com" });
    const { body } = await client(server).get("/Users", { filter: 'userName eq "mixed.case@example.COM"' });
    expect(body.Resources?.map((r) => r.id)).toEqual([user.id]);
  });

  it("accepts escaped quotes and backslashes in filter values", async () => {
    const user = server.createUser({ userName: 'q"uo\\te@example.com' });
    const { status, body } = await client(server).get("/Users", { filter: 'userName eq "q\\"uo\\\\te@example.com"' });
    expect(status).toBe(200);
    expect(body.Resources?.map((r) => r.id)).toEqual([user.id]);
  });

  it("matches a complex-attribute filter record by record when some records lack the attribute", async () => {
    const ann = server.createUser({ userName: "ann@example.com" });
    server.store.requireUser(ann.id).name = { givenName: "Ann" };
    const { status, body } = await client(server).get("/Users", { filter: 'name.givenName eq "Ann"' });
    expect(status).toBe(200);
    expect(body.Resources?.map((r) => r.id)).toEqual([ann.id]);
  });

  it("pages with startIndex and count given as query strings, capped at its page size", async () => {
    for (let i = 0; i < 8; i++) server.createUser({ userName: `pg${i}@example.com` });
    const total = server.store.users.size;
    const page = await client(server).get("/Users", { startIndex: "3", count: "50" });
    expect(page.body).toMatchObject({ startIndex: 3, totalResults: total });
    expect(page.body.Resources).toHaveLength(5);
    const beyond = await client(server).get("/Users", { startIndex: String(total + 1) });
    expect(beyond.body).toMatchObject({ totalResults: total, Resources: [] });
  });

  it("does not duplicate a member added twice and drops deleted users from groups", async () => {
    const u = server.createUser({ userName: "twice@example.com" });
    const g = server.createGroup("twice");
    expect(await client(server).patch(`/Groups/${g.id}`, [{ op: "add", path: "members", value: [{ value: u.id }] }])).toBe(200);
    expect(await client(server).patch(`/Groups/${g.id}`, [{ op: "add", path: "members", value: [{ value: u.id }] }])).toBe(204);
    expect(server.members("twice")).toEqual(["twice@example.com"]);
    server.deleteUser("twice@example.com");
    expect((await client(server).get(`/Groups/${g.id}`)).body.members).toEqual([]);
  });
});

describe("SCIM test server, aws-identity-center emulation", () => {
  let server: ScimTestServer;
  beforeAll(async () => {
    server = await ScimTestServer.start({ profile: "aws-identity-center" });
  });
  afterAll(() => server.close());

  it("returns empty members from GET /Groups/{id} and answers PATCH with 204", async () => {
    const u = server.createUser({ userName: "a@example.com" });
    const g = server.createGroup("aws", [u.id]);
    expect((await client(server).get(`/Groups/${g.id}`)).body.members).toEqual([]);
    const v = server.createUser({ userName: "b@example.com" });
    expect(await client(server).patch(`/Groups/${g.id}`, [{ op: "add", path: "members", value: [{ value: v.id }] }])).toBe(204);
    expect(server.members("aws")).toEqual(["a@example.com", "b@example.com"]);
  });

  it("refuses filters other than eq/and and a remove of all members", async () => {
    const g = server.createGroup("aws-keep", [server.createUser({ userName: "k@example.com" }).id]);
    expect((await client(server).get("/Users", { filter: 'userName co "a"' })).status).toBe(400);
    expect((await client(server).get("/Groups", { filter: `members[value eq "x"]` })).status).toBe(400);
    expect(await client(server).patch(`/Groups/${g.id}`, [{ op: "remove", path: "members" }])).toBe(400);
    expect(server.members("aws-keep")).toEqual(["k@example.com"]);
  });
});
