/**
 * The audit period of `grantbot evidence --from <date> --to <date>`: dates are `YYYY-MM-DD` (UTC)
 * or RFC 3339 date-times with an offset. A date-only `--from` starts at 00:00:00 UTC of that day
 * and a date-only `--to` ends at 23:59:59.999 UTC of that day, so `--from 2026-01-01 --to
 * 2026-03-31` is the whole first quarter. Defaults: to = now, from = to - 90 days. Pure.
 */
import { z } from "zod";
import type { Period } from "./evidence-types.ts";

export const DEFAULT_PERIOD_DAYS = 90;
const DAY_MS = 86_400_000;

const dateOnly = z.iso.date();
const dateTime = z.iso.datetime({ offset: true });

/** A `--from`/`--to` value: which form it is and the instant it names. */
export const periodDateSchema = z
  .string()
  .trim()
  .refine((v) => dateOnly.safeParse(v).success || dateTime.safeParse(v).success, {
    message: "expected a date such as 2026-03-31 or a date-time such as 2026-03-31T12:00:00Z",
  })
  .transform((v) => ({ dateOnly: dateOnly.safeParse(v).success, ms: Date.parse(dateOnly.safeParse(v).success ? `${v}T00:00:00Z` : v) }));

export type PeriodResult = { ok: true; period: Period } | { ok: false; error: string };

export function parsePeriod(input: { from?: string | undefined; to?: string | undefined }, now: number): PeriodResult {
  const read = (flag: "from" | "to") => {
    const value = input[flag];
    if (value === undefined) return { ok: true as const, value: null };
    const parsed = periodDateSchema.safeParse(value);
    if (!parsed.success) return { ok: false as const, error: `--${flag} ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message ?? "not a date"}` };
    return { ok: true as const, value: parsed.data };
  };
  const from = read("from");
  if (!from.ok) return from;
  const to = read("to");
  if (!to.ok) return to;
  const toMs = to.value === null ? now : to.value.dateOnly ? to.value.ms + DAY_MS - 1 : to.value.ms;
  const fromMs = from.value === null ? toMs - DEFAULT_PERIOD_DAYS * DAY_MS : from.value.ms;
  if (fromMs > toMs) return { ok: false, error: `--from is after --to (${new Date(fromMs).toISOString()} > ${new Date(toMs).toISOString()})` };
  return { ok: true, period: { from: fromMs, to: toMs } };
}

export function inPeriod(period: Period, at: number | null | undefined): boolean {
  return at !== null && at !== undefined && at >= period.from && at <= period.to;
}

/** Whether [start, end] (end null = still running) overlaps the period. */
export function overlapsPeriod(period: Period, start: number, end: number | null): boolean {
  return start <= period.to && (end === null || end >= period.from);
}
