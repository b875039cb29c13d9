/**
 * The user reads the directory feature (leavers, managers) relies on: getUser with the
 * enterprise manager, listUsers page by page, in both paging styles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScimGroupDirectory, type ScimUser } from "../../src/adapters/scim/index.ts";
import { ScimTestServer, type ServerProfile } from "../fakes/scim-server/index.ts";

describe.each(["generic", "aws-identity-center"] as const)("directory reads, %s profile", (profile: ServerProfile) => {
  let server: ScimTestServer;
  let dir: ScimGroupDirectory;
  beforeAll(async () => {
    server = await ScimTestServer.start({ profile, pageSize: 7 });
    dir = new ScimGroupDirectory({ name: "directory", baseUrl: server.url, token: server.token, profile });
  });
  afterAll(() => server.close());

  it("reads a user with its manager's id from the enterprise extension", async () => {
    const boss = server.createUser({ userName: "boss@example.com", displayName: "The Boss" });
    const worker = server.createUser({ userName: "Worker@Example.com", displayName: "Worker", manager: "boss@example.com" });
    const user = await dir.getUser(worker.id);
    expect(user).toMatchObject({
      id: worker.id,
      userName: "worker@example.com",
      active: true,
      displayName: "Worker",
      managerId: boss.id,
    });
    expect(user?.raw["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toBeDefined();
    expect(await dir.getUser(boss.id)).toMatchObject({ managerId: null });
  });

  it("sees a deactivated user as inactive and a deleted one as absent", async () => {
    const leaver = server.createUser({ userName: "leaver@example.com", groups: [`${profile}-ops`] });
    server.setActive("leaver@example.com", false);
    expect(await dir.getUser(leaver.id)).toMatchObject({ active: false });
    server.deleteUser("leaver@example.com");
    expect(await dir.getUser(leaver.id)).toBeNull();
    expect(server.members(`${profile}-ops`)).toEqual([]);
  });

  it("hands every user to the callback page by page", async () => {
    for (let i = 0; i < 23; i++) server.createUser({ userName: `dir-${i}@example.com` });
    const pages: ScimUser[][] = [];
    const stats = await dir.listUsers(async (users) => {
      pages.push(users);
    });
    const all = pages.flat();
    expect(stats.users).toBe(all.length);
    expect(stats.pages).toBe(pages.length);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((p) => p.length <= 7)).toBe(true);
    expect(new Set(all.map((u) => u.id)).size).toBe(all.length);
    expect(all.map((u) => u.userName)).toEqual(expect.arrayContaining(["dir-0@example.com", "dir-22@example.com"]));
  });

  it("lists only the users a filter selects", async () => {
    server.createUser({ userName: "filtered@example.com" });
    const seen: string[] = [];
    await dir.listUsers((users) => void seen.push(...users.map((u) => u.userName)), {
      filter: 'userName eq "filtered@example.com"',
    });
    expect(seen).toEqual(["filtered@example.com"]);
  });
});

describe("directory reads of Entra-fed data", () => {
  it("accepts active as the string \"False\"", async () => {
    const server = await ScimTestServer.start();
    try {
      const dir = new ScimGroupDirectory({ name: "entra-fed", baseUrl: server.url, token: server.token, profile: "entra" });
      server.respondWith({
        status: 200,
        headers: { "content-type": "application/scim+json" },
        body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: "e1", userName: "E@x.com", active: "False" },
      });
      expect(await dir.getUser("e1")).toMatchObject({ id: "e1", userName: "e@x.com", active: false, managerId: null });
    } finally {
      await server.close();
    }
  });
});
