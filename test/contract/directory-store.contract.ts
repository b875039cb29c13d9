/**
 * Contract of the directory snapshot (DirectorySnapshotStore, async shape), run on SQLite and
 * PostgreSQL by directory-store.test.ts. Ported from test/integration/sqlite-leaver-stores.test.ts,
 * plus what two instances writing at once must not break.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { DirectoryRecord, DirectorySnapshotStore } from "../../src/services/ports/index.ts";
import { rounds, type Opened, type Opener } from "./people-backends.ts";

export type DirectoryStores = { people: AsyncPort<DirectorySnapshotStore> };

const person = (email: string, over: Partial<DirectoryRecord> = {}): DirectoryRecord => ({
  email, directoryId: `id-${email}`, active: true, managerId: null, managerEmail: null, displayName: null, groups: null, attributes: {}, seenAt: 1, removedAt: null, ...over,
});

export function directoryContract(name: string, open: Opener<DirectoryStores>): void {
  describe(`directory snapshot on ${name}`, () => {
    let s: Opened<DirectoryStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("keeps records by lower-cased email and finds them by directory id", async () => {
      await s.people.put(person("A@X.com", { groups: ["eng"], attributes: { title: "SRE" } }));
      expect(await s.people.get("a@x.com")).toMatchObject({ email: "a@x.com", groups: ["eng"], attributes: { title: "SRE" } });
      expect((await s.people.getByDirectoryId("id-A@X.com"))?.email).toBe("a@x.com");
      expect(await s.people.get("nobody@x.com")).toBeNull();
      expect(await s.people.getByDirectoryId("nobody")).toBeNull();
    });

    it("gives back every field as written, lower-casing the manager's email", async () => {
      const full = person("b@x.com", {
        active: false, managerId: "id-boss", managerEmail: "Boss@X.com", displayName: "Bee", groups: [], attributes: { nested: { n: 1 }, list: [1, "two"] }, seenAt: 1_760_000_000_123, removedAt: 1_760_000_000_999,
      });
      await s.people.put(full);
      expect(await s.people.get("b@x.com")).toEqual({ ...full, managerEmail: "boss@x.com" });
      await s.people.put(person("c@x.com", { directoryId: null }));
      expect(await s.people.get("c@x.com")).toEqual(person("c@x.com", { directoryId: null }));
    });

    it("replaces a record on a second put of the same email", async () => {
      await s.people.put(person("a@x.com", { displayName: "Old", groups: ["eng"] }));
      await s.people.put(person("A@x.com", { displayName: "New", groups: null, active: false, seenAt: 2 }));
      expect(await s.people.get("a@x.com")).toMatchObject({ displayName: "New", groups: null, active: false, seenAt: 2 });
      expect(await s.people.countPresent()).toBe(1);
    });

    it("finds a present record by directory id before a removed one, then the most recently seen", async () => {
      await s.people.put(person("old@x.com", { directoryId: "dup", seenAt: 9, removedAt: 9 }));
      await s.people.put(person("new@x.com", { directoryId: "dup", seenAt: 5 }));
      expect((await s.people.getByDirectoryId("dup"))?.email).toBe("new@x.com");
      await s.people.put(person("newer@x.com", { directoryId: "dup", seenAt: 7 }));
      expect((await s.people.getByDirectoryId("dup"))?.email).toBe("newer@x.com");
    });

    it("lists the present records an earlier poll saw and this poll did not, ignoring pushed-only ones", async () => {
      const p1 = await s.people.startPoll(1);
      await s.people.put(person("a@x.com"), p1);
      await s.people.put(person("b@x.com"), p1);
      await s.people.put(person("pushed@x.com"));
      const p2 = await s.people.startPoll(2);
      expect(p2).toBeGreaterThan(p1);
      await s.people.put(person("a@x.com"), p2);
      expect((await s.people.unseen(p2)).map((r) => r.email)).toEqual(["b@x.com"]);
      await s.people.put({ ...person("b@x.com"), removedAt: 2 });
      expect(await s.people.unseen(p2)).toEqual([]);
      expect(await s.people.countPresent()).toBe(2);
      await s.people.finishPoll(p2, 3, { pages: 1, people: 1, changes: 1 });
    });

    it("keeps the poll mark when a push rewrites a polled record, and lists unseen records by email in byte order", async () => {
      const p1 = await s.people.startPoll(1);
      for (const email of ["b@x.com", "a.b@x.com", "ab@x.com", "a-c@x.com"]) await s.people.put(person(email), p1);
      await s.people.put(person("b@x.com", { displayName: "pushed" })); // no poll id: a push
      const p2 = await s.people.startPoll(2);
      expect((await s.people.unseen(p2)).map((r) => r.email)).toEqual(["a-c@x.com", "a.b@x.com", "ab@x.com", "b@x.com"]);
    });

    it("resolves managers' emails from their directory ids and reports the unknown ones", async () => {
      const poll = await s.people.startPoll(1);
      await s.people.put(person("boss@x.com"), poll);
      await s.people.put(person("a@x.com", { managerId: "id-boss@x.com" }), poll);
      await s.people.put(person("b@x.com", { managerId: "nobody" }), poll);
      await s.people.put(person("c@x.com", { managerId: "nobody" }), poll);
      expect(await s.people.resolveManagers(poll)).toEqual(["nobody"]);
      expect((await s.people.get("a@x.com"))?.managerEmail).toBe("boss@x.com");
    });

    it("resolves managers only for records the given poll saw", async () => {
      const p1 = await s.people.startPoll(1);
      await s.people.put(person("boss@x.com"), p1);
      await s.people.put(person("a@x.com", { managerId: "id-boss@x.com" }), p1);
      const p2 = await s.people.startPoll(2);
      await s.people.put(person("boss@x.com"), p2);
      expect(await s.people.resolveManagers(p2)).toEqual([]);
      expect((await s.people.get("a@x.com"))?.managerEmail).toBeNull();
    });

    it("keeps one row per person when two instances write the same person at once, and a push never erases the poll mark", async () => {
      const other = await s.peer();
      try {
        const poll = await s.people.startPoll(1);
        await rounds(15, (i) => [
          s.people.put(person("A@x.com", { displayName: `poll ${i}` }), poll),
          other.people.put(person("a@x.com", { displayName: `push ${i}` })),
        ]);
        expect(await s.people.countPresent()).toBe(1);
        expect((await other.people.get("a@x.com"))?.displayName).toMatch(/^(poll|push) 14$/);
        const next = await other.people.startPoll(2);
        expect((await s.people.unseen(next)).map((r) => r.email)).toEqual(["a@x.com"]);
      } finally {
        await other.close();
      }
    });

    it("gives two instances starting polls at once different, increasing ids", async () => {
      const other = await s.peer();
      try {
        const ids = (await rounds(10, (i) => [s.people.startPoll(i), other.people.startPoll(i)])).flat();
        expect(new Set(ids).size).toBe(ids.length);
        const later = await s.people.startPoll(99);
        expect(later).toBeGreaterThan(Math.max(...ids));
      } finally {
        await other.close();
      }
    });
  });
}
