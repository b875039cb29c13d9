/**
 * Contracts of the Slack experience's durable state — request card copies and approval snapshots
 * (CardStore), Home tab users (HomeUsers) — in their async shape, run on SQLite and PostgreSQL by
 * slack-stores.test.ts. Ported from test/unit/slack-card-store.test.ts, plus two instances posting
 * the same card or refreshing the same snapshot at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { CardMessage, CardStore, HomeUsers } from "../../src/services/ports/slack.ts";
import { rounds, type Opened, type Opener } from "./people-backends.ts";

export type CardStores = { cards: AsyncPort<CardStore> };
export type HomeStores = { homeUsers: AsyncPort<HomeUsers> };

const channelCopy = (ts: string): CardMessage => ({ channel: "C0DBA00001", ts, audience: "channel", recipient: null });

export function cardStoreContract(name: string, open: Opener<CardStores>): void {
  describe(`request cards on ${name}`, () => {
    let s: Opened<CardStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("records each card copy once per channel, in posting order", async () => {
      await s.cards.addMessage("G1", channelCopy("1.000001"), 1);
      await s.cards.addMessage("G1", { channel: "D0CAROL0001", ts: "1.000002", audience: "approver", recipient: "carol@example.com" }, 2);
      await s.cards.addMessage("G1", channelCopy("9.999999"), 3);
      expect(await s.cards.messages("G1")).toEqual([
        channelCopy("1.000001"),
        { channel: "D0CAROL0001", ts: "1.000002", audience: "approver", recipient: "carol@example.com" },
      ]);
      expect(await s.cards.messages("G2")).toEqual([]);
    });

    it("lists copies posted in the same millisecond in the order they were recorded", async () => {
      for (const channel of ["D3", "C1", "D2", "C0"]) await s.cards.addMessage("G1", { channel, ts: "1.0", audience: "channel", recipient: null }, 5);
      await s.cards.addMessage("G1", { channel: "C9", ts: "0.5", audience: "channel", recipient: null }, 4);
      expect((await s.cards.messages("G1")).map((m) => m.channel)).toEqual(["C9", "D3", "C1", "D2", "C0"]);
    });

    it("replaces a grant's approvals snapshot", async () => {
      expect(await s.cards.reviews("G1")).toBeNull();
      await s.cards.saveReviews("G1", { approvedBy: [], changesRequestedBy: ["bob-gh"], required: 2, checkedAt: 1 });
      await s.cards.saveReviews("G1", { approvedBy: ["carol-gh", "dave-gh"], changesRequestedBy: [], required: 2, checkedAt: 1_760_000_000_123 });
      expect(await s.cards.reviews("G1")).toEqual({ approvedBy: ["carol-gh", "dave-gh"], changesRequestedBy: [], required: 2, checkedAt: 1_760_000_000_123 });
      expect(await s.cards.reviews("G2")).toBeNull();
    });

    it("keeps one copy per channel when two instances record the same card at once", async () => {
      const other = await s.peer();
      try {
        await rounds(10, (i) => [s.cards.addMessage(`G${i}`, channelCopy("1.1"), 1), other.cards.addMessage(`G${i}`, channelCopy("2.2"), 1)]);
        for (let i = 0; i < 10; i++) {
          const copies = await other.cards.messages(`G${i}`);
          expect(copies).toHaveLength(1);
          expect(["1.1", "2.2"]).toContain(copies[0]!.ts);
        }
      } finally {
        await other.close();
      }
    });

    it("keeps one whole snapshot when two instances save the same grant's approvals at once", async () => {
      const other = await s.peer();
      try {
        const mine = { approvedBy: ["carol-gh"], changesRequestedBy: [], required: 1, checkedAt: 1 };
        const theirs = { approvedBy: [], changesRequestedBy: ["bob-gh"], required: 2, checkedAt: 2 };
        await rounds(10, () => [s.cards.saveReviews("G1", mine), other.cards.saveReviews("G1", theirs)]);
        expect([mine, theirs]).toContainEqual(await s.cards.reviews("G1"));
      } finally {
        await other.close();
      }
    });
  });
}

export function homeUsersContract(name: string, open: Opener<HomeStores>): void {
  describe(`Home tab users on ${name}`, () => {
    let s: Opened<HomeStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("remembers who opened the Home tab, by lower-cased email", async () => {
      expect(await s.homeUsers.get("alice@example.com")).toBeNull();
      await s.homeUsers.remember("Alice@Example.com", "U0ALICE0001", 1);
      await s.homeUsers.remember("alice@example.com", "U0ALICE0002", 2);
      expect(await s.homeUsers.get("ALICE@example.com")).toBe("U0ALICE0002");
      expect(await s.homeUsers.get("bob@example.com")).toBeNull();
    });

    it("looks up many emails at once, lower-cased, leaving out those who never opened the tab", async () => {
      await s.homeUsers.remember("Alice@Example.com", "U0ALICE0001", 1);
      await s.homeUsers.remember("bob@example.com", "U0BOB00001", 2);
      const found = await s.homeUsers.getMany(["ALICE@example.com", "carol@example.com", "Bob@Example.COM"]);
      expect(found).toEqual(new Map([["alice@example.com", "U0ALICE0001"], ["bob@example.com", "U0BOB00001"]]));
      expect(found.has("carol@example.com")).toBe(false);
      expect(await s.homeUsers.getMany([])).toEqual(new Map());
    });

    it("keeps one user id per email when two instances record openings at once", async () => {
      const other = await s.peer();
      try {
        await rounds(10, (i) => [s.homeUsers.remember("Alice@example.com", `U${i}A`, i), other.homeUsers.remember("alice@example.com", `U${i}B`, i)]);
        expect(["U9A", "U9B"]).toContain(await s.homeUsers.get("alice@example.com"));
      } finally {
        await other.close();
      }
    });
  });
}
