/**
 * Contract of access reviews (ReviewStore, async shape), run on SQLite and PostgreSQL by
 * review-store.test.ts. Ported from test/integration/sqlite-review-stores.test.ts, plus two
 * instances opening the same resource's review, or moving the same review, at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AsyncPort } from "../../src/adapters/postgres/async-port.ts";
import type { AccessReview, ReviewStore } from "../../src/services/ports/index.ts";
import { rounds, type Opened, type Opener } from "./people-backends.ts";

export type ReviewStores = { reviews: AsyncPort<ReviewStore> };

const review = (over: Partial<AccessReview> = {}): AccessReview => ({
  id: "01REVIEW00000000000000000A",
  resource: "db",
  kind: "review",
  cause: "due",
  state: "opening",
  branch: "review/db/2026-11-20",
  members: [{ email: "dana@example.com", effective: "2026-12-01", proposed: "2027-03-01", status: "due" }],
  prNumber: null,
  prUrl: null,
  openedAt: 1,
  closedAt: null,
  outcome: null,
  remindedAt: null,
  baseSha: null,
  ...over,
});

export function reviewStoreContract(name: string, open: Opener<ReviewStores>): void {
  describe(`access reviews on ${name}`, () => {
    let s: Opened<ReviewStores>;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("refuses a second open review PR of the same resource, and allows one again once the first is done", async () => {
      const r = s.reviews;
      expect(await r.insert(review())).toBe(true);
      expect(await r.insert(review({ id: "01REVIEW00000000000000000B", branch: "review/db/2026-11-21" }))).toBe(false);
      // A removal PR of the same resource is another kind: allowed alongside.
      expect(await r.insert(review({ id: "01REVIEW00000000000000000C", kind: "removal", cause: "missed", branch: "review/db/2026-11-21-missed" }))).toBe(true);
      expect(await r.update("01REVIEW00000000000000000A", ["opening"], { state: "open", prNumber: 7, prUrl: "u" })).toBe(true);
      expect((await r.getByPr(7))?.id).toBe("01REVIEW00000000000000000A");
      expect(await r.update("01REVIEW00000000000000000A", ["opening"], { state: "closed" })).toBe(false);
      expect(await r.update("01REVIEW00000000000000000A", ["open"], { state: "certified", closedAt: 5, outcome: { kept: ["dana@example.com"], removed: [], approvers: ["carol-gh"] } })).toBe(true);
      expect(await r.openReviewOf("db")).toBeNull();
      expect(await r.insert(review({ id: "01REVIEW00000000000000000D", branch: "review/db/2027-02-15" }))).toBe(true);
      expect((await r.get("01REVIEW00000000000000000A"))?.outcome?.approvers).toEqual(["carol-gh"]);
    });

    it("refuses a taken branch or id, and gives back every field as written", async () => {
      const full = review({
        state: "open", prNumber: 12, prUrl: "https://github.example/pr/12", openedAt: 1_760_000_000_123, remindedAt: 1_760_000_000_456, baseSha: "a".repeat(40),
        members: [
          { email: "dana@example.com", effective: null, proposed: "2027-03-01", status: "overdue" },
          { email: "erin@example.com", effective: "2026-12-01", proposed: null, status: "due" },
        ],
      });
      expect(await s.reviews.insert(full)).toBe(true);
      expect(await s.reviews.get(full.id)).toEqual(full);
      expect(await s.reviews.insert(review({ id: "other", resource: "other", branch: full.branch }))).toBe(false);
      expect(await s.reviews.insert(review({ resource: "other", branch: "review/other/1" }))).toBe(false);
      expect(await s.reviews.get("other")).toBeNull();
      expect((await s.reviews.openReviewOf("db"))?.id).toBe(full.id);
    });

    it("finds a review by PR number, the most recently opened first", async () => {
      await s.reviews.insert(review({ id: "R1", branch: "b1", kind: "removal", prNumber: 7, openedAt: 1 }));
      await s.reviews.insert(review({ id: "R2", branch: "b2", kind: "removal", prNumber: 7, openedAt: 2 }));
      expect((await s.reviews.getByPr(7))?.id).toBe("R2");
      expect(await s.reviews.getByPr(8)).toBeNull();
    });

    it("lists by state oldest first and recent ones newest first", async () => {
      await s.reviews.insert(review({ id: "R3", resource: "a", branch: "b3", openedAt: 3 }));
      await s.reviews.insert(review({ id: "R1", resource: "b", branch: "b1", openedAt: 1, state: "open" }));
      await s.reviews.insert(review({ id: "R2", resource: "c", branch: "b2", openedAt: 1, state: "closed" }));
      await s.reviews.insert(review({ id: "R4", resource: "d", branch: "b4", openedAt: 4, state: "merged", kind: "removal" }));
      expect((await s.reviews.listByState(["opening", "open"])).map((r) => r.id)).toEqual(["R1", "R3"]);
      expect((await s.reviews.listByState(["closed", "open", "merged"])).map((r) => r.id)).toEqual(["R1", "R2", "R4"]);
      expect(await s.reviews.listByState([])).toEqual([]);
      expect((await s.reviews.recent(3)).map((r) => r.id)).toEqual(["R4", "R3", "R2"]);
    });

    it("changes nothing for an empty patch or no from-state, clears the outcome with null, and refuses unknown fields", async () => {
      await s.reviews.insert(review({ outcome: { kept: [], removed: ["dana@example.com"], approvers: [], reason: "r", mergeSha: null } }));
      const id = review().id;
      expect(await s.reviews.update(id, ["opening"], {})).toBe(false);
      expect(await s.reviews.update(id, ["opening"], { state: undefined })).toBe(false);
      expect(await s.reviews.update(id, [], { state: "open" })).toBe(false);
      await expect(s.reviews.update(id, ["opening"], { resource: "x" } as never)).rejects.toThrow(/unknown access review field resource/);
      expect((await s.reviews.get(id))?.outcome).toEqual({ kept: [], removed: ["dana@example.com"], approvers: [], reason: "r", mergeSha: null });
      expect(await s.reviews.update(id, ["opening"], { outcome: null, remindedAt: 9, baseSha: "b" })).toBe(true);
      expect(await s.reviews.get(id)).toMatchObject({ state: "opening", outcome: null, remindedAt: 9, baseSha: "b" });
      expect(await s.reviews.update("missing", ["opening"], { state: "open" })).toBe(false);
    });

    it("records standing members once and missed deadlines once", async () => {
      await s.reviews.noteStanding([{ resource: "db", email: "dana@example.com" }], 100);
      await s.reviews.noteStanding([{ resource: "db", email: "dana@example.com" }], 200);
      expect(await s.reviews.standingSince("db", "dana@example.com")).toBe(100);
      const missed = { resource: "db", email: "dana@example.com", deadline: "2026-12-01", onMissed: "revoke" as const, at: 300 };
      expect(await s.reviews.markMissed(missed)).toBe(true);
      expect(await s.reviews.markMissed({ ...missed, at: 400 })).toBe(false);
      expect(await s.reviews.missed(10)).toEqual([missed]);
    });

    it("notes a batch of standing members with repeats and nothing for an empty batch", async () => {
      await s.reviews.noteStanding([], 50);
      await s.reviews.noteStanding([{ resource: "db", email: "a@x.com" }, { resource: "db", email: "a@x.com" }, { resource: "ci", email: "a@x.com" }], 1_760_000_000_123);
      expect(await s.reviews.standingSince("db", "a@x.com")).toBe(1_760_000_000_123);
      expect(await s.reviews.standingSince("ci", "a@x.com")).toBe(1_760_000_000_123);
      expect(await s.reviews.standingSince("db", "b@x.com")).toBeNull();
    });

    it("lists missed deadlines newest first, then by resource and email in byte order", async () => {
      const m = (resource: string, email: string, at: number) => ({ resource, email, deadline: "2026-12-01", onMissed: "keep" as const, at });
      for (const x of [m("db", "b@x.com", 5), m("db", "a.b@x.com", 5), m("db", "ab@x.com", 5), m("ci", "z@x.com", 5), m("db", "a@x.com", 9)]) await s.reviews.markMissed(x);
      expect((await s.reviews.missed(10)).map((x) => `${x.resource}/${x.email}`)).toEqual(["db/a@x.com", "ci/z@x.com", "db/a.b@x.com", "db/ab@x.com", "db/b@x.com"]);
      expect(await s.reviews.missed(1)).toHaveLength(1);
    });

    it("opens one review PR per resource when two instances open it at once", async () => {
      const other = await s.peer();
      try {
        const results = await rounds(10, (i) => [
          s.reviews.insert(review({ id: `A${i}`, resource: `r${i}`, branch: `review/r${i}/a` })),
          other.reviews.insert(review({ id: `B${i}`, resource: `r${i}`, branch: `review/r${i}/b` })),
        ]);
        for (const pair of results) expect(pair.filter(Boolean)).toHaveLength(1);
        expect(await s.reviews.listByState(["opening"])).toHaveLength(10);
      } finally {
        await other.close();
      }
    });

    it("moves a review once when two instances compare-and-set its state at once", async () => {
      const other = await s.peer();
      try {
        for (let i = 0; i < 10; i++) await s.reviews.insert(review({ id: `A${i}`, resource: `r${i}`, branch: `review/r${i}` }));
        const results = await rounds(10, (i) => [
          s.reviews.update(`A${i}`, ["opening"], { state: "open", prNumber: i }),
          other.reviews.update(`A${i}`, ["opening"], { state: "closed", closedAt: 1 }),
        ]);
        for (const [i, [opened, closed]] of results.entries()) {
          expect([opened, closed].filter(Boolean)).toHaveLength(1);
          expect((await s.reviews.get(`A${i}`))?.state).toBe(opened ? "open" : "closed");
        }
      } finally {
        await other.close();
      }
    });
  });
}
