/** The real clock and timers; only main.ts (and the demo) use these. */

/** The only way services read time (a port: services/ports/runtime.ts re-exports it). */
export interface Clock {
  now(): number;
}

/** Timers, injectable so tests can drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    // Node timers cap at 2^31-1 ms (~24.8 days); re-arming happens on wake anyway.
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), 2_147_483_647));
    return { cancel: () => clearTimeout(handle) };
  },
};
