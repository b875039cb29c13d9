/**
 * `grantbot demo` (= `npm run demo`): the whole lifecycle on this machine, against the local
 * stand-ins for Slack, GitHub and SCIM under src/demo (loaded only for this command).
 */
import type { Command } from "./io.ts";

export const demoCommand: Command = async (args, io) => {
  let runDemo: typeof import("../demo/run-demo.ts").runDemo;
  try {
    ({ runDemo } = await import("../demo/run-demo.ts"));
  } catch (err) {
    io.stderr(`grantbot demo could not load its local stand-ins: ${(err as Error).message}\n`);
    return 1;
  }
  return runDemo(args, io);
};
