import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/adapters/sqlite/database.ts";
import { SqliteCardStore, SqliteHomeUsers } from "../../src/adapters/sqlite/sqlite-card-store.ts";

describe("SqliteCardStore and SqliteHomeUsers", () => {
  let db: Db;
  afterEach(() => db?.close());

  it("records each card copy once per channel, in posting order", () => {
    db = openDatabase(":memory:");
    const cards = new SqliteCardStore(db);
    cards.addMessage("G1", { channel: "C0DBA00001", ts: "1.000001", audience: "channel", recipient: null }, 1);
    cards.addMessage("G1", { channel: "D0CAROL0001", ts: "1.000002", audience: "approver", recipient: "carol@example.com" }, 2);
    cards.addMessage("G1", { channel: "C0DBA00001", ts: "9.999999", audience: "channel", recipient: null }, 3);
    expect(cards.messages("G1")).toEqual([
      { channel: "C0DBA00001", ts: "1.000001", audience: "channel", recipient: null },
      { channel: "D0CAROL0001", ts: "1.000002", audience: "approver", recipient: "carol@example.com" },
    ]);
    expect(cards.messages("G2")).toEqual([]);
  });

  it("replaces a grant's approvals snapshot", () => {
    db = openDatabase(":memory:");
    const cards = new SqliteCardStore(db);
    expect(cards.reviews("G1")).toBeNull();
    cards.saveReviews("G1", { approvedBy: [], changesRequestedBy: ["bob-gh"], required: 2, checkedAt: 1 });
    cards.saveReviews("G1", { approvedBy: ["carol-gh"], changesRequestedBy: [], required: 2, checkedAt: 2 });
    expect(cards.reviews("G1")).toEqual({ approvedBy: ["carol-gh"], changesRequestedBy: [], required: 2, checkedAt: 2 });
  });

  it("remembers who opened the Home tab, by lower-cased email", () => {
    db = openDatabase(":memory:");
    const users = new SqliteHomeUsers(db);
    expect(users.get("alice@example.com")).toBeNull();
    users.remember("Alice@Example.com", "U0ALICE0001", 1);
    users.remember("alice@example.com", "U0ALICE0002", 2);
    expect(users.get("ALICE@example.com")).toBe("U0ALICE0002");
  });
});
