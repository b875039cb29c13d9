/** Shared by the CLI commands that need the full configuration. */
import type { CliIO } from "./io.ts";
import { ConfigError, loadConfig } from "../config/index.ts";
import type { Config } from "../config/types.ts";

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
