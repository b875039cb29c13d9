/**
 * `grantbot serve` (= `npm start`): run until SIGTERM/SIGINT, then stop within
 * GRANTBOT_SHUTDOWN_TIMEOUT (adapters/lifecycle/process-lifecycle.ts). Before serving, Slack,
 * GitHub and every SCIM target are checked once: a credential the remote refuses stops the start
 * with one message naming the variable (exit 1), an unreachable one starts grantbot degraded.
 * `serve` owns its process: it ends it with process.exit once stopped, so a request still hanging
 * on an unreachable remote cannot keep it alive.
 */
import type { CliIO, Command } from "./io.ts";
import { configOrReport } from "./load.ts";
import { startGrantbot } from "../main.ts";
import { AppError } from "../domain/errors.ts";
import { ProcessLifecycle } from "../adapters/lifecycle/process-lifecycle.ts";
import { createLogger } from "../shared/logger.ts";
import { systemTimers } from "../shared/clock.ts";

/** What to print when start-up fails: our own messages as they are, anything else in one line. */
export function startupFailure(err: unknown): string {
  if (err instanceof AppError && err.code === "config_invalid") return err.message;
  return `grantbot could not start: ${err instanceof Error ? err.message : String(err)}`;
}

export const serveCommand: Command = async (_args, io) => serve(io);

export async function serve(io: CliIO, exit: (code: number) => void = (code) => process.exit(code)): Promise<number> {
  const config = configOrReport(io);
  if (!config) return 1;
  const log = createLogger({ level: config.logLevel });
  let settle: (code: number) => void = () => {};
  const ended = new Promise<number>((resolve) => (settle = resolve));
  const finish = (code: number) => {
    settle(code);
    exit(code);
  };
  const lifecycle = new ProcessLifecycle({ events: process, log, boundMs: config.shutdownTimeoutMs, timers: systemTimers, exit: finish, stderr: io.stderr });
  lifecycle.install();
  try {
    const running = await startGrantbot(config, { log, dependencyChecks: true });
    io.stdout(`grantbot listening on ${running.url}\n`);
    lifecycle.attach(running);
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : String(err) }, "start-up failed");
    io.stderr(`${startupFailure(err)}\n`);
    finish(1);
  }
  return ended;
}
