/**
 * The DeliveryLog contract: a delivery id is first seen once, per source, even when two
 * instances receive the same delivery at the same moment.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CoreFixture, OpenCore } from "./core-stores.ts";

export function deliveryLogContract(name: string, open: OpenCore): void {
  describe(`DeliveryLog contract: ${name}`, () => {
    let s: CoreFixture;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it("reports a replayed delivery as not first seen, per source", async () => {
      expect(await s.deliveries.firstSeen("github", "d-1", 10)).toBe(true);
      expect(await s.deliveries.firstSeen("github", "d-1", 11)).toBe(false);
      expect(await s.deliveries.firstSeen("directory", "d-1", 12)).toBe(true);
    });

    it("forgets deliveries older than the replay window", async () => {
      await s.deliveries.firstSeen("github", "old", 10);
      await s.deliveries.firstSeen("github", "new", 20);
      expect(await s.deliveries.prune(15)).toBe(1);
      expect(await s.deliveries.prune(15)).toBe(0);
      expect(await s.deliveries.firstSeen("github", "old", 30)).toBe(true);
      expect(await s.deliveries.firstSeen("github", "new", 30)).toBe(false);
    });

    it("forgets a delivery recorded in a transaction that rolled back", async () => {
      await expect(s.transactor.transaction(async () => {
        expect(await s.deliveries.firstSeen("github", "d-1", 10)).toBe(true);
        throw new Error("handler failed");
      })).rejects.toThrow("handler failed");
      expect(await s.deliveries.firstSeen("github", "d-1", 11)).toBe(true);
    });

    it("lets exactly one of two instances receiving the same delivery at once process it", async () => {
      const peer = await s.openPeer();
      try {
        const ids = Array.from({ length: 40 }, (_, i) => `delivery-${i}`);
        const firsts = await Promise.all(ids.flatMap((id) => [
          s.deliveries.firstSeen("github", id, 1).then((first) => ({ id, first })),
          peer.deliveries.firstSeen("github", id, 1).then((first) => ({ id, first })),
        ]));
        for (const id of ids) expect(firsts.filter((r) => r.id === id && r.first), id).toHaveLength(1);
      } finally {
        await peer.close();
      }
    });

    it("lets exactly one of two racing transactions claim a delivery, the other after the first commits", async () => {
      const peer = await s.openPeer();
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let recorded!: () => void;
        const first = new Promise<void>((resolve) => (recorded = resolve));
        const slow = s.transactor.transaction(async () => {
          const seen = await s.deliveries.firstSeen("slack", "retry-1", 1);
          recorded();
          await held;
          return seen;
        });
        await first;
        const fast = peer.deliveries.firstSeen("slack", "retry-1", 2);
        await new Promise((resolve) => setTimeout(resolve, 50));
        release();
        expect(await Promise.all([slow, fast])).toEqual([true, false]);
      } finally {
        await peer.close();
      }
    });
  });
}
