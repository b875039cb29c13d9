/**
 * Interactive requests being answered right now (Slack commands and interactions: Slack gives
 * grantbot 3 seconds, PRODUCT.md holds it to 100 ms at p99 under 50 concurrent requests). While
 * any is in flight the job runner starts no new background jobs (DMs, PRs, comments) — for at most
 * a short while, so background work is delayed by milliseconds, never starved. Revocations are
 * not held back.
 */
export class Foreground {
  #inFlight = 0;
  #waiters: Array<() => void> = [];
  #turns: Array<() => void> = [];

  /**
   * Resolves on a later turn of the event loop, one caller per turn, first come first served:
   * fifty handlers resuming in the same turn would run their synchronous work (a transaction
   * each) back to back, while the requests that arrived meanwhile wait unparsed.
   */
  nextTurn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#turns.push(resolve);
      if (this.#turns.length === 1) setImmediate(() => this.#nextTurn());
    });
  }

  #nextTurn(): void {
    this.#turns.shift()?.();
    // Queued from inside an immediate callback: runs on the next turn, after pending I/O.
    if (this.#turns.length > 0) setImmediate(() => this.#nextTurn());
  }

  /** A request arrived. Pair every call with one `leave()`. */
  enter(): void {
    this.#inFlight++;
  }

  /** Its response was sent (or the connection closed). */
  leave(): void {
    if (this.#inFlight > 0) this.#inFlight--;
    if (this.#inFlight > 0) return;
    // One waiter per turn of the event loop: fifty held requests resumed at once would block it
    // for their combined synchronous work (a transaction each) and delay whatever arrives next.
    const next = () => {
      if (this.#inFlight > 0) return; // busy again: the rest wait for the next idle moment
      const waiter = this.#waiters.shift();
      if (!waiter) return;
      waiter();
      if (this.#waiters.length > 0) setImmediate(next);
    };
    next();
  }

  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Calls `fn` once, the next time no request is in flight (at once when none is). */
  onIdle(fn: () => void): void {
    if (this.#inFlight === 0) fn();
    else this.#waiters.push(fn);
  }
}

/**
 * Resolves once no interactive request is in flight, or after `maxWaitMs` at the latest. Slack
 * handlers await it right after acknowledging, so the slow part of one request (the database
 * write, the reply) does not delay the acknowledgement of the next one in a burst.
 */
export async function afterAcks(foreground: Foreground | undefined, maxWaitMs = 100): Promise<void> {
  if (!foreground) return;
  // A turn of the event loop first (its own: see nextTurn): requests whose bytes arrived meanwhile
  // are parsed (and counted) in it, so a burst is seen as busy even when this one was its first.
  await foreground.nextTurn();
  if (!foreground.busy) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, maxWaitMs);
    foreground.onIdle(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
