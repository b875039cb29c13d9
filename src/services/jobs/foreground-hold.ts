/** How long other jobs wait for interactive requests in flight (the job runner's foreground rule). */
import type { Timers } from "../ports/index.ts";
import type { Foreground } from "./foreground.ts";
import { MAX_FOREGROUND_WAIT_MS } from "./runner-options.ts";

export class ForegroundHold {
  /** Since when other jobs have been held back for interactive requests (null = not held). */
  private heldSince: number | null = null;

  constructor(
    private readonly foreground: () => Foreground | undefined,
    private readonly timers: () => Timers,
    private readonly wake: () => void,
  ) {}

  /**
   * True while other jobs should wait for interactive requests in flight (at most
   * MAX_FOREGROUND_WAIT_MS); arranges a wake-up for when they are answered.
   */
  hold(now: number): boolean {
    const fg = this.foreground();
    if (!fg?.busy) {
      this.heldSince = null;
      return false;
    }
    if (this.heldSince === null) {
      this.heldSince = now;
      fg.onIdle(() => this.wake());
      this.timers().setTimeout(() => this.wake(), MAX_FOREGROUND_WAIT_MS);
    }
    if (now - this.heldSince < MAX_FOREGROUND_WAIT_MS) return true;
    this.heldSince = null;
    return false;
  }
}
