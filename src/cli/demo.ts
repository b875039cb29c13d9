/**
 * `grantbot demo` (= `npm run demo`): the whole lifecycle on this machine. It needs the local
 * stand-ins for Slack, GitHub and SCIM, which live in test/ (a checkout with dev dependencies).
 */
import type { Command } from "../cli.ts";

export const demoCommand: Command = async (args, io) => {
  let runDemo: (args: string[], io: Parameters<Command>[1]) => Promise<number>;
  try {
    ({ runDemo } = await import("../../test/demo/run-demo.ts"));
  } catch (err) {
    io.stderr(`grantbot demo needs a checkout of grantbot with its dev dependencies (npm ci): ${(err as Error).message}\n`);
    return 1;
  }
  return runDemo(args, io);
};
