import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/adapters/sqlite/database.ts";
import { SqliteDirectoryStore } from "../../src/adapters/sqlite/sqlite-directory-store.ts";
import { SqliteOffboardingStore } from "../../src/adapters/sqlite/sqlite-offboarding-store.ts";
import type { DirectoryRecord, OffboardingCase } from "../../src/services/ports/index.ts";

let db: Db;
beforeEach(() => {
  db = openDatabase(":memory:");
});
afterEach(() => db.close());

const person = (email: string, over: Partial<DirectoryRecord> = {}): DirectoryRecord => ({
  email, directoryId: `id-${email}`, active: true, managerId: null, managerEmail: null, displayName: null, groups: null, attributes: {}, seenAt: 1, removedAt: null, ...over,
});
const kase = (over: Partial<OffboardingCase> = {}): OffboardingCase => ({
  id: "C1", email: "a@x.com", source: "poll", cause: "deactivated", startedAt: 1, revoked: ["G1"], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: null, ...over,
});

describe("directory snapshot on SQLite", () => {
  it("keeps records by lower-cased email and finds them by directory id", () => {
    const store = new SqliteDirectoryStore(db);
    store.put(person("A@X.com", { groups: ["eng"], attributes: { title: "SRE" } }));
    expect(store.get("a@x.com")).toMatchObject({ email: "a@x.com", groups: ["eng"], attributes: { title: "SRE" } });
    expect(store.getByDirectoryId("id-A@X.com")?.email).toBe("a@x.com");
  });

  it("lists the present records an earlier poll saw and this poll did not, ignoring pushed-only ones", () => {
    const store = new SqliteDirectoryStore(db);
    const p1 = store.startPoll(1);
    store.put(person("a@x.com"), p1);
    store.put(person("b@x.com"), p1);
    store.put(person("pushed@x.com"));
    const p2 = store.startPoll(2);
    expect(p2).toBeGreaterThan(p1);
    store.put(person("a@x.com"), p2);
    expect(store.unseen(p2).map((r) => r.email)).toEqual(["b@x.com"]);
    store.put({ ...person("b@x.com"), removedAt: 2 });
    expect(store.unseen(p2)).toEqual([]);
    expect(store.countPresent()).toBe(2);
  });

  it("resolves managers' emails from their directory ids and reports the unknown ones", () => {
    const store = new SqliteDirectoryStore(db);
    const poll = store.startPoll(1);
    store.put(person("boss@x.com"), poll);
    store.put(person("a@x.com", { managerId: "id-boss@x.com" }), poll);
    store.put(person("b@x.com", { managerId: "nobody" }), poll);
    expect(store.resolveManagers(poll)).toEqual(["nobody"]);
    expect(store.get("a@x.com")?.managerEmail).toBe("boss@x.com");
  });
});

describe("offboarding cases on SQLite", () => {
  it("allows one open case per person and patches only open cases", () => {
    const store = new SqliteOffboardingStore(db);
    store.insert(kase());
    expect(() => store.insert(kase({ id: "C2" }))).toThrow(/UNIQUE/);
    expect(store.openFor("A@x.com")?.id).toBe("C1");
    expect(store.update("C1", { revoked: ["G1", "G2"], pendingNoticeAt: 5 })).toBe(true);
    expect(store.update("C1", { completedAt: 9 })).toBe(true);
    expect(store.update("C1", { orphans: ["G9"] })).toBe(false);
    expect(store.get("C1")).toMatchObject({ revoked: ["G1", "G2"], pendingNoticeAt: 5, completedAt: 9, orphans: [] });
    expect(store.openFor("a@x.com")).toBeNull();
    store.insert(kase({ id: "C2", startedAt: 10 }));
    expect(store.recent(5).map((c) => c.id)).toEqual(["C2", "C1"]);
  });
});
