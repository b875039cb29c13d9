/**
 * `grantbot <command>`: thin dispatch to the command modules in src/cli/ (listed, with their
 * flags, in src/cli/commands.ts).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { checkFlags, COMMANDS, findCommand, renderCommandHelp, renderHelp, type CommandSpec } from "./cli/commands.ts";

import type { CliIO } from "./cli/io.ts";

export type { CliIO, Command } from "./cli/io.ts";

const packageJson = z.object({ name: z.string(), version: z.string() });

/** The version in the package.json next to src/ (the checkout's, or the installed package's). */
export function grantbotVersion(): string {
  return packageJson.parse(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))).version;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout(`${grantbotVersion()}\n`);
    return 0;
  }
  if (!name) {
    io.stderr(renderHelp(grantbotVersion()));
    return 1;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const about = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (rest[0] !== undefined && !about) return unknownCommand(rest[0], io);
    if (!about) {
      io.stdout(renderHelp(grantbotVersion()));
      return 0;
    }
    return commandHelp(about, io);
  }
  const spec = findCommand(name);
  if (!spec) return unknownCommand(name, io);
  const flags = checkFlags(spec, rest);
  if (flags.ok === "help") return commandHelp(spec, io);
  if (!flags.ok) {
    io.stderr(`grantbot ${name}: ${flags.message}\n\n${renderCommandHelp(spec)}`);
    return spec.usageExit;
  }
  const command = await spec.load();
  return command(rest, io);
}

async function commandHelp(spec: CommandSpec, io: CliIO): Promise<number> {
  if (spec.ownHelp) return (await spec.load())(["--help"], io);
  io.stdout(renderCommandHelp(spec));
  return 0;
}

function unknownCommand(name: string, io: CliIO): number {
  const what = name.startsWith("-") ? `unknown option ${name}` : `unknown command "${name}"`;
  io.stderr(`grantbot: ${what}\ncommands: ${COMMANDS.map((c) => c.name).join(", ")}\n\`grantbot help\` lists every command and flag\n`);
  return 1;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}
