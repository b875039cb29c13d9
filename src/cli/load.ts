/** Shared by the CLI commands that need the full configuration. */
import type { CliIO } from "./io.ts";
import { ConfigError, loadConfig } from "../config/index.ts";
import type { Config } from "../config/types.ts";
import { parseDuration } from "../domain/durations.ts";

/** The configuration, or null after printing every problem to stderr (exit 1). */
export function configOrReport(io: CliIO): Config | null {
  try {
    return loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`${err.message}\n`);
      return null;
    }
    throw err;
  }
}

/**
 * Takes `--timeout <duration>` / `--timeout=<duration>` out of `args` (revoke, reconcile):
 * the remaining arguments, and the duration in ms (`defaultMs` when absent), or the problem.
 */
export function takeTimeout(args: readonly string[], defaultMs: number): { rest: string[]; timeoutMs: number } | { problem: string } {
  const rest: string[] = [];
  let timeoutMs = defaultMs;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg !== "--timeout" && !arg.startsWith("--timeout=")) {
      rest.push(arg);
      continue;
    }
    const value = arg === "--timeout" ? args[(i += 1)] : arg.slice("--timeout=".length);
    const parsed = parseDuration(value ?? "");
    if (!parsed.ok) return { problem: `--timeout: ${parsed.error}` };
    timeoutMs = parsed.ms;
  }
  return { rest, timeoutMs };
}
