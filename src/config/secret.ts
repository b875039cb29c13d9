import { createHash, timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";

/** What every rendering of a Secret prints instead of the value. */
export const REDACTED = "*****";

/**
 * A string that must never reach a log, an error message or a JSON document by accident.
 * Every implicit rendering (`String(s)`, template strings, `JSON.stringify`, `util.inspect`,
 * `console.log`, pino) prints `*****`; only an explicit `.reveal()` returns the value.
 * The value sits in a private field, so it is not an own property that serialisers can walk.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== "string") throw new TypeError("Secret expects a string");
    this.#value = value;
  }

  /** The plain value. Call it only at the edge where the value is used (an HTTP header, an HMAC key). */
  reveal(): string {
    return this.#value;
  }

  /**
   * Constant-time comparison with another secret or a presented string (e.g. a bearer token), so
   * callers need not reveal the value; hashing first makes the comparison independent of length.
   */
  equals(other: Secret | string): boolean {
    const presented = other instanceof Secret ? other.reveal() : other;
    if (typeof presented !== "string") return false;
    return timingSafeEqual(digest(presented), digest(this.#value));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}
