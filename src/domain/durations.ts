/**
 * Durations as users type them: `45s`, `90s`, `30m`, `4h`, `1d`, combinations such as `1h30m`,
 * or ISO 8601 (`PT4H`, `P1DT2H`). Pure: no clock, no I/O.
 */

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** The longest duration grantbot accepts anywhere (a year); keeps arithmetic far from overflow. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

const SHORT_RE = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const ISO_RE = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export const DURATION_HINT = "a duration such as 90s, 30m, 4h, 1d, 1h30m or ISO 8601 PT4H";

/** Parses a duration. Never throws: bad input yields `{ ok: false, error }` with a sentence for users. */
export function parseDuration(input: string): DurationResult {
  const text = input.trim();
  if (text.length === 0) return { ok: false, error: `duration is empty; expected ${DURATION_HINT}` };
  if (text.length > 40) return { ok: false, error: `duration "${text.slice(0, 40)}…" is too long; expected ${DURATION_HINT}` };
  let ms: number | undefined;
  const lower = text.toLowerCase();
  const short = SHORT_RE.exec(lower);
  if (short && lower.length > 0) {
    const [, w, d, h, m, s] = short;
    ms = sum([[w, "w"], [d, "d"], [h, "h"], [m, "m"], [s, "s"]]);
  } else {
    const iso = ISO_RE.exec(text.toUpperCase());
    if (iso && !text.toUpperCase().endsWith("T") && text.toUpperCase() !== "P") {
      const [, w, d, h, m, s] = iso;
      ms = sum([[w, "w"], [d, "d"], [h, "h"], [m, "m"], [s, "s"]]);
    }
  }
  if (ms === undefined || Number.isNaN(ms)) {
    return { ok: false, error: `"${text}" is not a duration; expected ${DURATION_HINT}` };
  }
  if (ms <= 0) return { ok: false, error: `duration "${text}" must be longer than zero` };
  // Limit first: huge values lose float precision and would be misreported as fractional seconds.
  if (ms > MAX_DURATION_MS) return { ok: false, error: `duration "${text}" is longer than the 366-day limit` };
  if (ms % 1000 !== 0) return { ok: false, error: `duration "${text}" must be a whole number of seconds` };
  return { ok: true, ms };
}

function sum(parts: Array<[string | undefined, Unit]>): number {
  let total = 0;
  for (const [value, unit] of parts) {
    if (value === undefined) continue;
    total += Number(value) * UNIT_MS[unit];
  }
  return Math.round(total);
}

/** Parses or throws an Error with the user-facing message (for trusted inputs such as the catalog). */
export function durationMs(input: string): number {
  const result = parseDuration(input);
  if (!result.ok) throw new Error(result.error);
  return result.ms;
}

/**
 * Formats milliseconds in the short form used in grant files: the single largest unit that divides
 * it exactly (`90s`, `30m`, `4h`, `1d`), so `formatDuration(parse(x))` round-trips.
 */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`cannot format duration ${ms}`);
  for (const unit of ["d", "h", "m"] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.ceil(ms / 1000)}s`;
}

/** Human wording for time left: "3h 5m", "45s". Rounds down to the second. */
export function describeRemaining(ms: number): string {
  if (ms <= 0) return "0s";
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3_600);
  s -= h * 3_600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s && parts.length < 2) parts.push(`${s}s`);
  return parts.slice(0, 2).join(" ") || "0s";
}
