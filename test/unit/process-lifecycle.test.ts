/**
 * How `grantbot serve` ends (adapters/lifecycle/process-lifecycle.ts), driven with a fake process
 * (an EventEmitter), fake timers and a fake grantbot.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { ProcessLifecycle, type Stoppable } from "../../src/adapters/lifecycle/process-lifecycle.ts";
import type { Log } from "../../src/shared/logger.ts";

function recordingLog(lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }>): Log {
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, msg, obj });
  const log: Log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => log };
  return log;
}

function harness(boundMs = 10_000) {
  const events = new EventEmitter();
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const timers: Array<{ ms: number; fn: () => void; cancelled: boolean }> = [];
  const exits: number[] = [];
  const stderr: string[] = [];
  let exited: () => void = () => {};
  const exitedOnce = new Promise<void>((resolve) => (exited = resolve));
  const lifecycle = new ProcessLifecycle({
    events,
    log: recordingLog(lines),
    boundMs,
    timers: {
      setTimeout: (fn, ms) => {
        const t = { ms, fn, cancelled: false };
        timers.push(t);
        return { cancel: () => void (t.cancelled = true) };
      },
    },
    exit: (code) => {
      exits.push(code);
      exited();
    },
    stderr: (text) => void stderr.push(text),
  });
  lifecycle.install();
  return { events, lines, timers, exits, stderr, lifecycle, exitedOnce };
}

function target(stop: (options: { boundMs: number }) => Promise<void>, running = ["scim_remove#7"]): Stoppable & { handedBack: number; bounds: number[] } {
  const t = {
    handedBack: 0,
    bounds: [] as number[],
    stop: (options: { boundMs: number }) => {
      t.bounds.push(options.boundMs);
      return stop(options);
    },
    handBack: async () => {
      t.handedBack += 1;
      return running;
    },
  };
  return t;
}

describe("serve's process lifecycle", () => {
  it("on SIGTERM stops grantbot with the bound less a reserve for closing, then exits 0", async () => {
    const h = harness(10_000);
    const grantbot = target(async () => {});
    h.lifecycle.attach(grantbot);
    h.events.emit("SIGTERM", "SIGTERM");
    await h.exitedOnce;
    expect(h.exits).toEqual([0]);
    expect(grantbot.bounds).toEqual([9_000]);
    expect(h.lines.map((l) => l.msg)).toEqual(["stopping: taking no new work; running jobs have until the shutdown bound", "stopped"]);
    expect(h.timers.map((t) => t.ms)).toEqual([10_000]);
  });

  it("exits 1 when the bound passes, saying what was still running and handing the leases back", async () => {
    const h = harness(3_000);
    const grantbot = target(() => new Promise(() => {}));
    h.lifecycle.attach(grantbot);
    h.events.emit("SIGINT", "SIGINT");
    h.timers[0]!.fn(); // the bound
    await h.exitedOnce;
    expect(h.exits).toEqual([1]);
    expect(grantbot.handedBack).toBe(1);
    expect(h.lines.at(-1)).toEqual({ level: "error", msg: "shutdown bound reached: exiting with work still running (job leases handed back)", obj: { boundMs: 3_000, running: ["scim_remove#7"] } });
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("exits at once on a second %s (exit %i), handing the leases back", async (signal, code) => {
    const h = harness();
    const grantbot = target(() => new Promise(() => {}));
    h.lifecycle.attach(grantbot);
    h.events.emit(signal, signal);
    h.events.emit(signal, signal);
    await h.exitedOnce;
    expect(h.exits).toEqual([code]);
    expect(grantbot.handedBack).toBe(1);
    expect(h.lines.at(-1)).toMatchObject({ level: "warn", msg: "second signal: exiting now", obj: { signal, running: ["scim_remove#7"] } });
  });

  it("acts on a signal received during start-up as soon as grantbot is up", async () => {
    const h = harness();
    h.events.emit("SIGTERM", "SIGTERM");
    expect(h.lifecycle.stopping).toBe(true);
    const grantbot = target(async () => {});
    h.lifecycle.attach(grantbot);
    await h.exitedOnce;
    expect(h.exits).toEqual([0]);
    expect(grantbot.bounds).toHaveLength(1);
  });

  it("logs an unhandled rejection, prints one line and exits 1", async () => {
    const h = harness();
    h.events.emit("unhandledRejection", new Error("socket hang up"));
    await h.exitedOnce;
    expect(h.exits).toEqual([1]);
    expect(h.stderr).toEqual(["grantbot: unhandled promise rejection, exiting: socket hang up\n"]);
    expect(h.lines[0]).toMatchObject({ level: "error", msg: "unhandled promise rejection: exiting", obj: { err: "socket hang up" } });
  });
});
