import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  MAX_DURATION_MS,
  describeRemaining,
  durationMs,
  formatDuration,
  parseDuration,
} from "../../src/domain/durations.ts";

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("parseDuration", () => {
  it.each([
    ["45s", 45 * S],
    ["90s", 90 * S],
    ["30m", 30 * M],
    ["4h", 4 * H],
    ["1d", D],
    ["2w", 14 * D],
    ["1h30m", 90 * M],
    ["1d2h3m4s", D + 2 * H + 3 * M + 4 * S],
    ["4H", 4 * H],
    ["  4h  ", 4 * H],
    ["366d", 366 * D],
    ["PT4H", 4 * H],
    ["pt4h", 4 * H],
    ["PT45S", 45 * S],
    ["PT30M", 30 * M],
    ["P1D", D],
    ["P1DT2H", D + 2 * H],
    ["PT1H30M", 90 * M],
    ["PT1.5H", 90 * M],
    ["P2W", 14 * D],
  ])("accepts %j as %d ms", (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["4", "not a duration"],
    ["h", "not a duration"],
    ["4 h", "not a duration"],
    ["4hours", "not a duration"],
    ["-4h", "not a duration"],
    ["1.5h", "not a duration"],
    ["4m4h", "not a duration"],
    ["1y", "not a duration"],
    ["P", "not a duration"],
    ["PT", "not a duration"],
    ["P1DT", "not a duration"],
    ["PT4", "not a duration"],
    ["P1M", "not a duration"],
    ["0s", "longer than zero"],
    ["PT0S", "longer than zero"],
    ["PT0.5S", "whole number of seconds"],
    ["367d", "366-day limit"],
    ["53w", "366-day limit"],
    ["99999999999999999999d", "366-day limit"],
    ["1".repeat(41) + "s", "too long"],
  ])("rejects %j (%s)", (input, reason) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        const result = parseDuration(input);
        expect(typeof result.ok).toBe("boolean");
      }),
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [45 * S, "45s"],
    [90 * S, "90s"],
    [30 * M, "30m"],
    [90 * M, "90m"],
    [4 * H, "4h"],
    [D, "1d"],
    [14 * D, "14d"],
    [D + S, "86401s"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, -1, 1.5])("refuses to format %d ms", (ms) => {
    expect(() => formatDuration(ms)).toThrow();
  });

  it.each(["45s", "90s", "30m", "4h", "1d", "1h30m", "PT4H", "P1DT2H", "2w"])(
    "round-trips %j through formatDuration to the same length of time",
    (input) => {
      const parsed = durationMs(input);
      const text = formatDuration(parsed);
      expect(durationMs(text)).toBe(parsed);
      expect(formatDuration(durationMs(text))).toBe(text);
    },
  );

  it("round-trips every whole number of seconds up to the limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS / S }), (seconds) => {
        const ms = seconds * S;
        expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms });
      }),
    );
  });
});

describe("durationMs", () => {
  it("throws the user-facing message for bad input", () => {
    expect(() => durationMs("soon")).toThrow(/"soon" is not a duration/);
  });
});

describe("describeRemaining", () => {
  it.each([
    [0, "0s"],
    [-5 * S, "0s"],
    [45 * S + 999, "45s"],
    [3 * H + 5 * M + 7 * S, "3h 5m"],
    [M + 5 * S, "1m 5s"],
    [2 * D + 3 * H, "2d 3h"],
  ])("describes %d ms as %s", (ms, text) => {
    expect(describeRemaining(ms)).toBe(text);
  });
});
