/**
 * The AccessTarget contract (CONVENTIONS.md §11): one behaviour suite, run against every
 * implementation (the SCIM client against the scimmy test server in each profile; an in-memory
 * fake can run it too, without the `network` cases).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AccessTarget } from "../../src/services/ports/index.ts";
import { groupDirectoryFailureCases, type NetworkFaults } from "./scim-group-directory-failures.contract.ts";

export type { NetworkFaults };

export interface GroupDirectoryFixture {
  directory: AccessTarget;
  /** Creates a user with this userName in the target; returns its id. */
  seedUser(userName: string): Promise<string>;
  /** Creates a group; returns its id. */
  seedGroup(displayName: string, memberIds?: string[]): Promise<string>;
  /** The group's members' userNames, read from the target without the directory under test. */
  memberUserNames(groupDisplayName: string): Promise<string[]>;
  /** Present for implementations that talk HTTP: failure injection at the server. */
  network?: NetworkFaults;
  close(): Promise<void>;
}

let seq = 0;
/** Unique names so cases can share one server. */
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}-${seq}-${Math.random().toString(36).slice(2, 7)}`;
}

export function groupDirectoryContract(
  label: string,
  setup: () => Promise<GroupDirectoryFixture>,
  options: { network?: boolean } = {},
): void {
  describe(`AccessTarget contract: ${label}`, () => {
    let f: GroupDirectoryFixture;
    const fixture = () => f;
    beforeAll(async () => {
      f = await setup();
    });
    afterAll(async () => {
      await f?.close();
    });
    afterEach(() => {
      f.network?.clear();
    });

    async function groupWith(...userNames: string[]) {
      const ids = await Promise.all(userNames.map((n) => f.seedUser(n)));
      const displayName = unique("team");
      const groupId = await f.seedGroup(displayName, ids);
      return { displayName, groupId, ids };
    }

    it("finds a user by email whatever the case of the email", async () => {
      const userName = `${unique("alice")}@example.com`;
      const id = await f.seedUser(userName);
      expect(await f.directory.findUser(userName.toUpperCase())).toEqual({ id, userName });
      expect(await f.directory.findUser(`nobody-${userName}`)).toBeNull();
    });

    it("finds a group by displayName and returns null for an unknown one", async () => {
      const { displayName, groupId } = await groupWith();
      expect(await f.directory.findGroup(displayName)).toEqual({ id: groupId, displayName });
      expect(await f.directory.findGroup(unique("missing"))).toBeNull();
    });

    it("reports a member after addMember", async () => {
      const { groupId } = await groupWith();
      const userId = await f.seedUser(`${unique("bob")}@example.com`);
      expect(await f.directory.isMember(groupId, userId)).toBe(false);
      await f.directory.addMember(groupId, userId);
      expect(await f.directory.isMember(groupId, userId)).toBe(true);
    });

    it("keeps a single membership when the same member is added twice", async () => {
      const userName = `${unique("carol")}@example.com`;
      const { displayName, groupId } = await groupWith();
      const userId = await f.seedUser(userName);
      await f.directory.addMember(groupId, userId);
      await f.directory.addMember(groupId, userId);
      expect(await f.memberUserNames(displayName)).toEqual([userName]);
    });

    it("removes only the given member and leaves the others in the group", async () => {
      const names = [1, 2, 3].map((i) => `${unique(`m${i}`)}@example.com`);
      const { displayName, groupId, ids } = await groupWith(...names);
      await f.directory.removeMember(groupId, ids[1] as string);
      expect(await f.directory.isMember(groupId, ids[1] as string)).toBe(false);
      expect(await f.memberUserNames(displayName)).toEqual([names[0], names[2]]);
    });

    it("succeeds when removing someone who is not a member", async () => {
      const { displayName, groupId } = await groupWith(`${unique("stay")}@example.com`);
      const outsider = await f.seedUser(`${unique("outsider")}@example.com`);
      await f.directory.removeMember(groupId, outsider);
      await f.directory.removeMember(groupId, outsider);
      expect(await f.memberUserNames(displayName)).toHaveLength(1);
    });

    it("lists every member of a group larger than one page", async () => {
      const prefix = unique("bulk");
      const names = Array.from({ length: 250 }, (_, i) => `${prefix}-${i}@example.com`);
      const { groupId, ids } = await groupWith(...names);
      const members = await f.directory.listMembers(groupId);
      expect(members).toHaveLength(250);
      expect(new Set(members.map((m) => m.id))).toEqual(new Set(ids));
      expect(new Set(members.map((m) => m.userName))).toEqual(new Set(names));
    }, 60_000);

    it("escapes quotes and backslashes in a userName instead of letting them change the filter", async () => {
      await f.seedUser(`${unique("victim")}@example.com`);
      const injection = 'x" or userName pr or userName eq "y';
      expect(await f.directory.findUser(injection)).toBeNull();
      expect(await f.directory.findUser('x\\" or userName pr or userName eq \\"y')).toBeNull();
      const odd = `"${unique("q")}\\\\\\"odd"@example.com`;
      const id = await f.seedUser(odd);
      expect(await f.directory.findUser(odd)).toEqual({ id, userName: odd });
    });

    if (options.network) groupDirectoryFailureCases(fixture, groupWith);
  });
}
