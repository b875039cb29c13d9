import { describe, expect, it } from "vitest";
import { backoffDelay, retryAfterToMs } from "../../src/shared/backoff.ts";

describe("retry timing for queued jobs (shared/backoff)", () => {
  const opts = { baseMs: 1_000, maxMs: 60_000 };

  it("grows the jitter window exponentially from baseMs and caps it at maxMs", () => {
    const top = { ...opts, random: () => 0.999_999 };
    expect([1, 2, 3, 4, 7, 8, 50, 5_000].map((a) => backoffDelay(a, top))).toEqual([999, 1_999, 3_999, 7_999, 59_999, 59_999, 59_999, 59_999]);
  });

  it("spreads delays uniformly over the whole window (full jitter)", () => {
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { ...opts, random: () => 0.25 })).toBe(1_000);
    expect(backoffDelay(3, { ...opts, random: () => 1 })).toBeLessThan(4_000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(4, opts);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(8_000);
    }
  });

  it("treats attempt 0 or a nonsense attempt like the first", () => {
    expect(backoffDelay(0, { ...opts, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(Number.NaN, { ...opts, random: () => 0.5 })).toBe(500);
  });
});

describe("Retry-After parsing (shared/backoff)", () => {
  const now = Date.parse("2026-11-22T10:00:00Z");

  it.each([
    ["120", 120_000],
    [" 0 ", 0],
    ["1.5", 1_500],
    ["Sun, 22 Nov 2026 10:00:30 GMT", 30_000],
    ["Sun, 22 Nov 2026 09:59:00 GMT", 0],
  ])("reads %j as %i ms", (header, ms) => {
    expect(retryAfterToMs(header, now)).toBe(ms);
  });

  it.each([[null], [""], ["soon"], ["-5"], ["12 34"]])("returns null for %j", (header) => {
    expect(retryAfterToMs(header, now)).toBeNull();
  });
});
