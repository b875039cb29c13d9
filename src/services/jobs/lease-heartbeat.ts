/**
 * The job runner's heartbeat: keeps the leases of the jobs this process holds — running, or
 * finished and not yet recorded as done — extended a third of a lease apart, on a timer of its
 * own. It does not wait for the runner's next tick: a tick can be held up (a claim waiting behind
 * the cluster-wide claim lock, a turn recording hundreds of completions), and on a queue shared by
 * several instances a lease that lapses meanwhile hands a job this process is still running (or
 * has just finished) to another instance, which runs it again. The timer is armed only while
 * jobs are held, so an idle runner keeps no timer.
 */
import type { AsyncResource } from "node:async_hooks";
import type { JobRunnerDeps } from "./runner-options.ts";

export class LeaseHeartbeat {
  /** When the held jobs' leases were last extended, or fresh leases taken by a claim. */
  renewedAt = Number.NEGATIVE_INFINITY;
  private timer: { cancel(): void } | null = null;
  private renewing: Promise<void> | null = null;

  constructor(
    private readonly deps: Pick<JobRunnerDeps, "jobs" | "clock" | "timers" | "tx" | "log">,
    private readonly leaseMs: number,
    /** The ids of the jobs this process holds now. */
    private readonly held: () => number[],
    private readonly scope: AsyncResource,
  ) {}

  /** Leases were just taken by a claim: they are fresh whatever the last renewal. */
  claimed(): void {
    if (this.held().length === 0) this.renewedAt = this.deps.clock.now();
    this.arm();
  }

  /** Extends the held jobs' leases when a third of a lease has passed since the last extension. */
  async renewIfDue(): Promise<void> {
    if (this.renewing) return this.renewing;
    const now = this.deps.clock.now();
    const ids = this.held();
    if (ids.length === 0 || now - this.renewedAt < this.leaseMs / 3) return;
    this.renewing = (async () => {
      try {
        const renew = () => this.deps.jobs.renew(ids, now + this.leaseMs);
        if (this.deps.tx) await this.deps.tx.transaction(renew, { durable: false });
        else await renew();
        this.renewedAt = now;
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }

  /** Since the held jobs' leases were last extended (0 when none are held). */
  ageMs(): number {
    return this.held().length === 0 ? 0 : Math.max(0, this.deps.clock.now() - this.renewedAt);
  }

  /** Arms the next beat, when jobs are held and none is armed (after a failed renewal, not sooner than `minDelay`). */
  arm(minDelay = 0): void {
    if (this.timer || this.held().length === 0) return;
    const delay = Math.max(minDelay, this.renewedAt + this.leaseMs / 3 - this.deps.clock.now());
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.scope.runInAsyncScope(() => {
        this.renewIfDue().then(
          () => this.arm(),
          (err: unknown) => {
            this.deps.log.error({ err: String(err) }, "extending job leases failed; retrying");
            this.arm(this.leaseMs / 6);
          },
        );
      });
    }, delay);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
