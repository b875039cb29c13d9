/**
 * The SCIM test server's lie switches, checked with plain HTTP (so the client's defences cannot
 * hide a broken switch), and what the client does against the filter lie.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { ensureMember } from "../../src/services/targets/membership.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe("SCIM test server lies", () => {
  let server: ScimTestServer;
  let headers: Record<string, string>;
  const patch = async (groupId: string, Operations: unknown[]) =>
    (await fetch(`${server.url}/Groups/${groupId}`, { method: "PATCH", headers, body: JSON.stringify({ schemas: [PATCH_OP], Operations }) })).status;
  const list = async (query: string) => (await (await fetch(`${server.url}/Users?${query}`, { headers })).json()) as Record<string, unknown> & { Resources: { userName: string }[] };

  beforeAll(async () => {
    server = await ScimTestServer.start({ pageSize: 3 });
    headers = { authorization: `Bearer ${server.token}`, "content-type": "application/scim+json" };
    for (let i = 0; i < 8; i++) server.createUser({ userName: `l${i}@example.com` });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.lies = {};
  });

  it("answers 204 to an or-filter remove and changes nothing, while other forms still work", async () => {
    const [a, b] = [server.store.requireUser("l0@example.com"), server.store.requireUser("l1@example.com")];
    const group = server.createGroup("lied-to", [a.id, b.id]);
    server.lies = { ignoredPatches: ["or-filter"] };
    expect(await patch(group.id, [{ op: "remove", path: `members[value eq "${a.id}" or value eq "${b.id}"]` }])).toBe(204);
    expect(server.members("lied-to")).toEqual(["l0@example.com", "l1@example.com"]);
    expect(await patch(group.id, [{ op: "remove", path: `members[value eq "${a.id}"]` }])).toBe(200);
    expect(server.members("lied-to")).toEqual(["l1@example.com"]);
  });

  it("ends an index listing with an empty page while totalResults says more", async () => {
    server.lies = { listStopsAfter: { items: 3, how: "empty-page" } };
    expect((await list("startIndex=1&count=3")).Resources).toHaveLength(3);
    const after = await list("startIndex=4&count=3");
    expect(after).toMatchObject({ totalResults: 8, Resources: [] });
  });

  it("cuts a page short while its itemsPerPage counts the full page", async () => {
    server.lies = { listStopsAfter: { items: 4, how: "short-page" } };
    expect(await list("startIndex=4&count=3")).toMatchObject({ totalResults: 8, itemsPerPage: 3, Resources: [{ userName: "l3@example.com" }] });
  });

  it("compares filter values without unescaping them", async () => {
    const odd = server.createUser({ userName: 'o"brien@example.com' });
    const filter = encodeURIComponent('userName eq "o\\"brien@example.com"');
    expect((await list(`filter=${filter}`)).Resources).toEqual([expect.objectContaining({ id: odd.id })]);
    server.lies = { rawFilterValues: true };
    expect((await list(`filter=${filter}`)).Resources).toEqual([]);
  });

  it("the client, against the filter lie, finds nobody rather than someone else and changes nothing", async () => {
    server.lies = { rawFilterValues: true };
    server.createGroup("quoted");
    const dir = new ScimGroupDirectory({ name: "raw", baseUrl: server.url, token: server.token, profile: "generic" });
    server.clearRequests();
    await expect(ensureMember(dir, 'O"Brien@example.com', "quoted")).rejects.toMatchObject({ code: "unknown_person", retryable: false });
    expect(server.requests().filter((r) => r.method === "PATCH")).toEqual([]);
    expect(server.members("quoted")).toEqual([]);
  });
});

describe("SCIM test server lies, AWS cursor paging", () => {
  it("stops giving nextCursor after the cut and reports the true totalResults", async () => {
    const server = await ScimTestServer.start({ profile: "aws-identity-center", pageSize: 3 });
    try {
      for (let i = 0; i < 8; i++) server.createUser({ userName: `c${i}@example.com` });
      server.lies = { listStopsAfter: { items: 3, how: "no-next-cursor" } };
      const res = await fetch(`${server.url}/Users?cursor=&count=3`, { headers: { authorization: `Bearer ${server.token}` } });
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ totalResults: 8, itemsPerPage: 3 });
      expect(body.nextCursor).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
