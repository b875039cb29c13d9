/**
 * How `grantbot serve` ends (issue 11):
 * - SIGTERM or SIGINT: grantbot stops taking new work (HTTP answers 503 except /healthz, the job
 *   runner claims nothing, the schedule stops), running jobs get until the bound to finish, the
 *   leases of those still running are handed back to the queue, Slack and HTTP close, and the
 *   process exits 0. The bound (GRANTBOT_SHUTDOWN_TIMEOUT, default 10 s) holds whatever the remote
 *   side does: when it passes, the log says what was still running and the process exits 1.
 * - A second signal exits at once (128 + the signal's number), after handing the leases back.
 * - An unhandled rejection or uncaught exception is logged, printed as one line and ends the
 *   process with exit code 1 — never silently.
 * A signal that arrives during start-up is acted on as soon as grantbot is up (start-up is bounded).
 */
import { constants } from "node:os";
import type { Log, Timers } from "../../services/ports/index.ts";

export interface ProcessEvents {
  on(event: "SIGTERM" | "SIGINT", listener: (signal: NodeJS.Signals) => void): unknown;
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
  on(event: "uncaughtException", listener: (error: Error) => void): unknown;
}

/** What the lifecycle stops: a running grantbot. */
export interface Stoppable {
  /** Graceful stop, waiting for running jobs at most `boundMs`. */
  stop(options: { boundMs: number }): Promise<void>;
  /** For an immediate exit: hands the leases of running jobs back; returns them as `kind#id`. */
  handBack(): Promise<string[]>;
}

export interface ProcessLifecycleOptions {
  events: ProcessEvents;
  log: Log;
  boundMs: number;
  timers: Timers;
  exit(code: number): void;
  /** Where the one-line message of a fatal error goes (stderr). */
  stderr(text: string): void;
}

/** Left for closing Slack, HTTP and the database after jobs had their time (part of the bound). */
const CLOSE_RESERVE_MS = 1_000;
/** How long a fatal exit waits to hand running jobs back to the queue. */
const HAND_BACK_MS = 1_000;

export class ProcessLifecycle {
  #target: Stoppable | null = null;
  #signal: NodeJS.Signals | null = null;
  #exited = false;

  constructor(private readonly options: ProcessLifecycleOptions) {}

  install(): void {
    const { events } = this.options;
    events.on("SIGTERM", (signal) => this.onSignal(signal ?? "SIGTERM"));
    events.on("SIGINT", (signal) => this.onSignal(signal ?? "SIGINT"));
    events.on("unhandledRejection", (reason) => this.fatal("unhandled promise rejection", reason));
    events.on("uncaughtException", (error) => this.fatal("uncaught exception", error));
  }

  /** grantbot is up: a signal now stops it (at once, when one already came during start-up). */
  attach(target: Stoppable): void {
    this.#target = target;
    if (this.#signal) void this.stop(target);
  }

  /** True once a stop signal was received. */
  get stopping(): boolean {
    return this.#signal !== null;
  }

  private onSignal(signal: NodeJS.Signals): void {
    const { log, boundMs, timers } = this.options;
    if (this.#signal) {
      void this.handBack().then((running) => {
        log.warn({ signal, running }, "second signal: exiting now");
        this.exit(128 + (constants.signals[signal] ?? 15));
      });
      return;
    }
    this.#signal = signal;
    log.info({ signal, boundMs }, "stopping: taking no new work; running jobs have until the shutdown bound");
    timers.setTimeout(() => {
      void this.handBack().then((running) => {
        log.error({ boundMs, running }, "shutdown bound reached: exiting with work still running (job leases handed back)");
        this.exit(1);
      });
    }, boundMs);
    if (this.#target) void this.stop(this.#target);
  }

  private async stop(target: Stoppable): Promise<void> {
    const { log, boundMs } = this.options;
    try {
      await target.stop({ boundMs: Math.max(boundMs - CLOSE_RESERVE_MS, Math.floor(boundMs / 2)) });
      log.info({}, "stopped");
      this.exit(0);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, "stopping failed");
      this.exit(1);
    }
  }

  private fatal(what: string, reason: unknown): void {
    const message = reason instanceof Error ? reason.message : String(reason);
    void this.handBack().then((running) => {
      this.options.log.error({ err: message, stack: reason instanceof Error ? reason.stack : undefined, running }, `${what}: exiting`);
      this.options.stderr(`grantbot: ${what}, exiting: ${message}\n`);
      this.exit(1);
    });
  }

  /** Hands running jobs' leases back, waiting at most HAND_BACK_MS (the database may be gone). */
  private async handBack(): Promise<string[]> {
    try {
      const giveUp = new Promise<string[]>((resolve) => this.options.timers.setTimeout(() => resolve(["(handing the leases back timed out)"]), HAND_BACK_MS));
      return await Promise.race([this.#target?.handBack() ?? Promise.resolve([]), giveUp]);
    } catch (err) {
      return [`(could not hand the leases back: ${err instanceof Error ? err.message : String(err)})`];
    }
  }

  private exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.options.exit(code);
  }
}
