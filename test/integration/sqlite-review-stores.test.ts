import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import type { AccessReview } from "../../src/services/ports/index.ts";

const dirs: string[] = [];
function store(): { store: Store; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "grantbot-reviews-"));
  dirs.push(dir);
  return { store: openStore(dir, { now: () => 0 }), dir };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

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

describe("SqliteReviewStore", () => {
  it("refuses a second open review PR of the same resource, and allows one again once the first is done", async () => {
    const { store: s } = store();
    expect(await s.reviews.insert(review())).toBe(true);
    expect(await s.reviews.insert(review({ id: "01REVIEW00000000000000000B", branch: "review/db/2026-11-21" }))).toBe(false);
    // A removal PR of the same resource is another kind: allowed alongside.
    expect(await s.reviews.insert(review({ id: "01REVIEW00000000000000000C", kind: "removal", cause: "missed", branch: "review/db/2026-11-21-missed" }))).toBe(true);
    expect(await s.reviews.update("01REVIEW00000000000000000A", ["opening"], { state: "open", prNumber: 7, prUrl: "u" })).toBe(true);
    expect((await s.reviews.getByPr(7))?.id).toBe("01REVIEW00000000000000000A");
    expect(await s.reviews.update("01REVIEW00000000000000000A", ["opening"], { state: "closed" })).toBe(false);
    expect(await s.reviews.update("01REVIEW00000000000000000A", ["open"], { state: "certified", closedAt: 5, outcome: { kept: ["dana@example.com"], removed: [], approvers: ["carol-gh"] } })).toBe(true);
    expect(await s.reviews.openReviewOf("db")).toBeNull();
    expect(await s.reviews.insert(review({ id: "01REVIEW00000000000000000D", branch: "review/db/2027-02-15" }))).toBe(true);
    expect((await s.reviews.get("01REVIEW00000000000000000A"))?.outcome?.approvers).toEqual(["carol-gh"]);
    await s.close();
  });

  it("records standing members once and missed deadlines once", async () => {
    const { store: s } = store();
    await s.reviews.noteStanding([{ resource: "db", email: "dana@example.com" }], 100);
    await s.reviews.noteStanding([{ resource: "db", email: "dana@example.com" }], 200);
    expect(await s.reviews.standingSince("db", "dana@example.com")).toBe(100);
    const missed = { resource: "db", email: "dana@example.com", deadline: "2026-12-01", onMissed: "revoke" as const, at: 300 };
    expect(await s.reviews.markMissed(missed)).toBe(true);
    expect(await s.reviews.markMissed({ ...missed, at: 400 })).toBe(false);
    expect(await s.reviews.missed(10)).toEqual([missed]);
    await s.close();
  });
});

describe("SqliteUsageLog", () => {
  it("aggregates uses in memory, merges them into the stored row on flush, and reads both", async () => {
    const { store: s } = store();
    s.usage.record("g1", 50);
    s.usage.record("g1", 10);
    s.usage.record("g2", 30);
    expect(await s.usage.forGrants(["g1", "g2", "g3"])).toEqual(new Map([
      ["g1", { grantId: "g1", firstUse: 10, lastUse: 50, uses: 2 }],
      ["g2", { grantId: "g2", firstUse: 30, lastUse: 30, uses: 1 }],
    ]));
    expect(await s.usage.flush()).toBe(2);
    expect(await s.usage.flush()).toBe(0);
    s.usage.record("g1", 70);
    expect((await s.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 10, lastUse: 70, uses: 3 });
    await s.usage.flush();
    expect((await s.usage.forGrants(["g1"])).get("g1")).toEqual({ grantId: "g1", firstUse: 10, lastUse: 70, uses: 3 });
    await s.close();
  });

  it("writes what is still in memory when the store closes (a graceful stop loses no use)", async () => {
    const { store: s, dir } = store();
    s.usage.record("g1", 5);
    await s.close();
    const again = openStore(dir, { now: () => 0 });
    expect((await again.usage.forGrants(["g1"])).get("g1")?.uses).toBe(1);
    await again.close();
  });
});
