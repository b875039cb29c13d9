/**
 * Bounding concurrent requests to one SCIM target (`scim.targets[].max_concurrency`): every
 * request of a ScimGroupDirectory goes through one ConcurrencyLimit, whoever calls it (a batch
 * of removals, several jobs at once, a listing), so the target never sees more in flight.
 */

export const DEFAULT_MAX_CONCURRENCY = 8;

export class ConcurrencyLimit {
  readonly max: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max concurrency must be a whole number >= 1 (got ${max})`);
    this.max = max;
  }

  /** Runs `fn` once a slot is free; the slot is held until `fn` settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active += 1;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); // the slot passes straight to the next caller
      else this.#active -= 1;
    }
  }
}

export { mapLimit } from "../../shared/map-limit.ts";
