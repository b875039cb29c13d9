import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, SqliteTransactor, type Db } from "../../src/adapters/sqlite/database.ts";
import { SqliteGrantStore } from "../../src/adapters/sqlite/sqlite-grant-store.ts";
import { newGrant, type Grant } from "../../src/domain/grant.ts";

const clock = { t: 1_000_000, now() { return this.t; } };

function grant(id: string, overrides: Partial<Grant> = {}): Grant {
  return newGrant({
    id,
    resource: "prod-db-readonly",
    subject: "alice@example.com",
    requester: "alice@example.com",
    requesterSlackId: "U0ALICE0001",
    durationMs: 3_600_000,
    reason: "INC-1234 investigate replica lag",
    requestedAt: 1_000,
    fileContent: `id: ${id}\n`,
    filePath: `grants/prod-db-readonly/${id}.yaml`,
    updatedAt: 1_000,
    ...overrides,
  });
}

let db: Db;
let store: SqliteGrantStore;
beforeEach(() => {
  db = openDatabase(":memory:");
  store = new SqliteGrantStore(db, clock);
});
afterEach(() => db.close());

describe("SqliteGrantStore", () => {
  it("round-trips every field of a grant, including JSON fields", () => {
    const g = grant("g1", {
      state: "active",
      prNumber: 7,
      approvedBy: ["carol-gh", "dave-gh"],
      activatedAt: 5_000,
      expiresAt: 9_000,
      access: { target: "aws", groups: ["prod-db-readonly", "prod-db-audit"] },
      credentialMessage: { channel: "D01", ts: "1700000000.000100" },
    });
    store.insert(g);
    expect(store.get("g1")).toEqual(g);
    expect(store.getByPrNumber(7)).toEqual(g);
    expect(store.get("missing")).toBeNull();
  });

  it("refuses a second grant with the same id or PR number", () => {
    store.insert(grant("g1", { prNumber: 7 }));
    expect(() => store.insert(grant("g1"))).toThrow(/UNIQUE/);
    expect(() => store.insert(grant("g2", { prNumber: 7 }))).toThrow(/UNIQUE/);
  });

  it("applies an update only while the grant is in one of the expected states", () => {
    store.insert(grant("g1"));
    expect(store.update("g1", ["requested"], { state: "pr_open", prNumber: 12 })).toBe(true);
    // The second writer of a race sees the state already moved and changes nothing.
    expect(store.update("g1", ["requested"], { state: "pr_open", prNumber: 13 })).toBe(false);
    expect(store.get("g1")).toMatchObject({ state: "pr_open", prNumber: 12, updatedAt: clock.t });
    expect(store.update("missing", ["requested"], { state: "pr_open" })).toBe(false);
  });

  it("refuses an illegal state transition and leaves the grant unchanged", () => {
    store.insert(grant("g1", { state: "pr_open" }));
    expect(() => store.update("g1", ["pr_open"], { state: "active", expiresAt: 5 })).toThrow(/cannot go from pr_open to active/);
    expect(store.get("g1")?.state).toBe("pr_open");
  });

  it("updates fields without a transition and takes updatedAt from the patch when given", () => {
    store.insert(grant("g1", { state: "active", activatedAt: 1, expiresAt: 10 }));
    const message = { channel: "D01", ts: "1.2" };
    expect(store.update("g1", ["active"], { state: "active", credentialMessage: message, updatedAt: 42 })).toBe(true);
    expect(store.get("g1")).toMatchObject({ credentialMessage: message, updatedAt: 42 });
  });

  it("rolls the update back with the surrounding transaction", () => {
    store.insert(grant("g1"));
    const tx = new SqliteTransactor(db);
    expect(() =>
      tx.transaction(() => {
        store.update("g1", ["requested"], { state: "cancelled" });
        throw new Error("later step failed");
      }),
    ).toThrow("later step failed");
    expect(store.get("g1")?.state).toBe("requested");
  });

  it("lists grants by state, by subject, and those due for expiry in expiry order", () => {
    store.insert(grant("a", { state: "active", requestedAt: 3, activatedAt: 1, expiresAt: 300 }));
    store.insert(grant("b", { state: "active", requestedAt: 1, activatedAt: 1, expiresAt: 100 }));
    store.insert(grant("c", { state: "active", requestedAt: 2, activatedAt: 1, expiresAt: 200, subject: "bob@example.com" }));
    store.insert(grant("d", { state: "expired", requestedAt: 0 }));
    expect(store.listByState(["active"]).map((g) => g.id)).toEqual(["b", "c", "a"]);
    expect(store.listByState(["active", "expired"], 2).map((g) => g.id)).toEqual(["d", "b"]);
    expect(store.listBySubject("bob@example.com", ["active"]).map((g) => g.id)).toEqual(["c"]);
    expect(store.listDueForExpiry(200, 10).map((g) => g.id)).toEqual(["b", "c"]);
    expect(store.listDueForExpiry(1_000, 1).map((g) => g.id)).toEqual(["b"]);
    expect(store.nextExpiry()).toBe(100);
    expect(store.countByState()).toMatchObject({ active: 3, expired: 1, requested: 0 });
  });

  it("has no next expiry when no grant is active", () => {
    store.insert(grant("x", { state: "expired", expiresAt: 5 }));
    expect(store.nextExpiry()).toBeNull();
  });

  it("never stores an active grant without an expiry", () => {
    expect(() => store.insert(grant("g1", { state: "active", expiresAt: null }))).toThrow(/CHECK/);
  });
});
