#!/usr/bin/env node
// Runs the TypeScript sources through tsx so `npm ci` is the only set-up step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is done. A request still waiting on a remote that never answers (its job was handed
// back to the queue) must not keep a one-shot command alive: if anything still holds the event
// loop a second from now, exit anyway. (unref: a process with nothing left exits at once.)
setTimeout(() => process.exit(code), 1_000).unref();
