/**
 * Periodic work: the node-cron backstop sweep every minute (expiries whose timer was lost, jobs
 * due), GitHub polling (primary without a webhook secret, a slower backstop with one), and any
 * further periodic tasks later features register. Precise expiry does not depend on this: the
 * job runner arms a timer for the earliest due job.
 */
import cron from "node-cron";
import type { Log, PeriodicTask, Scheduler } from "../../services/ports/index.ts";

export class CronScheduler implements Scheduler {
  private readonly stops: Array<() => void> = [];
  private readonly busy = new Set<string>();

  constructor(private readonly log: Log) {}

  /** Runs `run` at second 0 of every minute (node-cron). */
  everyMinute(name: string, run: () => Promise<unknown> | unknown): void {
    const task = cron.schedule("0 * * * * *", () => this.guarded(name, run), { name: `grantbot-${name}` });
    this.stops.push(() => void task.stop());
  }

  /** Runs `run` every `everyMs` (no overlap: a slow run skips the next tick). */
  every(task: PeriodicTask): void {
    const handle = setInterval(() => this.guarded(task.name, task.run), task.everyMs);
    handle.unref?.();
    this.stops.push(() => clearInterval(handle));
  }

  async runNow(name: string, run: () => Promise<unknown> | unknown): Promise<void> {
    await this.guarded(name, run);
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private async guarded(name: string, run: () => Promise<unknown> | unknown): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await run();
    } catch (err) {
      this.log.warn({ task: name, err: err instanceof Error ? err.message : String(err) }, "periodic task failed");
    } finally {
      this.busy.delete(name);
    }
  }
}
