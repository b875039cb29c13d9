/**
 * listUsers (the directory poll's source) resolves only for a listing proven complete by the
 * server's own counts. Against the scimmy test server with its paging lies switched on, and with
 * canned pages for the cases the switches do not cover.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { ScimTestServer, type ScimLies, type ServerProfile } from "../fakes/scim-server/index.ts";

const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

async function listAll(dir: ScimGroupDirectory): Promise<string[]> {
  const seen: string[] = [];
  await dir.listUsers((users) => {
    seen.push(...users.map((u) => u.userName));
  });
  return seen;
}

describe.each([
  ["generic", { items: 4, how: "empty-page" }],
  ["generic", { items: 4, how: "short-page" }],
  ["aws-identity-center", { items: 3, how: "no-next-cursor" }],
] as const)("listUsers on a %s server whose paging stops early (%o)", (profile, cut) => {
  let server: ScimTestServer;
  let dir: ScimGroupDirectory;
  beforeAll(async () => {
    server = await ScimTestServer.start({ profile: profile as ServerProfile, pageSize: 3 });
    for (let i = 0; i < 8; i++) server.createUser({ userName: `p${i}@example.com` });
    dir = new ScimGroupDirectory({ name: "directory", baseUrl: server.url, token: server.token, profile });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.lies = {};
  });

  it("lists every user when the server tells the truth", async () => {
    expect((await listAll(dir)).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `p${i}@example.com`));
  });

  it("rejects the listing as incomplete, retryably, instead of resolving with part of it", async () => {
    server.lies = { listStopsAfter: cut as ScimLies["listStopsAfter"] };
    const error = await listAll(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "target_unavailable", retryable: true });
    expect(String((error as Error).message)).toMatch(/^SCIM target directory: incomplete listing from GET \/Users: /);
  });
});

describe("listUsers against pages that contradict each other", () => {
  let server: ScimTestServer;
  let dir: ScimGroupDirectory;
  const isUsers = (m: string, p: string) => m === "GET" && p === "/Users";
  const user = (i: number) => ({ id: `u${i}`, userName: `u${i}@example.com` });
  const page = (startIndex: number, totalResults: number, ids: number[]) => ({ status: 200, match: isUsers, body: { schemas: [LIST], startIndex, totalResults, itemsPerPage: ids.length, Resources: ids.map(user) } });
  beforeAll(async () => {
    server = await ScimTestServer.start();
    dir = new ScimGroupDirectory({ name: "directory", baseUrl: server.url, token: server.token, profile: "generic" });
  });
  afterAll(() => server.close());
  beforeEach(() => server.clearFaults());

  it("rejects a listing whose totalResults shrinks between pages (items shifted, some skipped)", async () => {
    server.respondWith(page(1, 6, [1, 2, 3]));
    server.respondWith(page(4, 5, [5, 6]));
    await expect(listAll(dir)).rejects.toThrow(/totalResults changed from 6 to 5/);
  });

  it("rejects a listing that repeats a user and so never shows one of totalResults", async () => {
    server.respondWith(page(1, 4, [1, 2]));
    server.respondWith(page(3, 4, [2, 3]));
    await expect(listAll(dir)).rejects.toThrow(/ended after 3 distinct of totalResults 4/);
  });

  it("rejects a listing that fails mid-way", async () => {
    server.respondWith(page(1, 4, [1, 2]));
    server.failWith({ status: 503, match: isUsers });
    await expect(listAll(dir)).rejects.toMatchObject({ code: "target_unavailable" });
  });

  it("accepts pages shorter than asked when totalResults is reached", async () => {
    server.respondWith(page(1, 3, [1, 2]));
    server.respondWith(page(3, 3, [3]));
    expect(await listAll(dir)).toEqual(["u1@example.com", "u2@example.com", "u3@example.com"]);
  });
});
