/**
 * `grantbot revoke <grant-id> [--timeout <duration>]`: end a live grant now, through the same
 * durable path as expiry, and wait (up to --timeout, default 2 minutes) until every SCIM removal
 * is confirmed. Safe while `serve` runs on the same database (SQLite or PostgreSQL, next to any
 * number of instances): jobs are claimed with leases under this command's own instance id, so each
 * runs once, and the command takes no cluster leadership (one-shot.ts). Bounded whatever the remote side does: every remote call has a timeout, and jobs
 * still running when the command ends (a DM to a Slack that does not answer) get CLOSE_BOUND_MS,
 * then their leases go back to the queue for `serve`.
 */
import type { Command } from "./io.ts";
import { configOrReport, takeTimeout } from "./load.ts";
import { ULID_RE } from "../domain/grant-files.ts";
import { buildOneShot, databaseName } from "./one-shot.ts";
import { revokeGrant } from "../services/grants/grant-commands.ts";
import { createLogger } from "../shared/logger.ts";
import { settlesWithin } from "../adapters/lifecycle/bounded-stop.ts";
import { systemTimers } from "../shared/clock.ts";

const USAGE = "usage: grantbot revoke <grant-id>   (ids are listed by `grantbot grants --active`)\n";
const DEFAULT_WAIT_MS = 120_000;
/** How long jobs still running at the end (DMs, PR comments) may take before being left to `serve`. */
const CLOSE_BOUND_MS = 3_000;

/** Why `arg` is not a grant id, or null when it is one. */
export function grantIdProblem(arg: string): string | null {
  const id = arg.toUpperCase();
  if (ULID_RE.test(id)) return null;
  const shown = JSON.stringify(arg.length > 40 ? `${arg.slice(0, 40)}…` : arg);
  if (id.length !== 26) return `${shown} is not a grant id: grant ids are ULIDs of 26 characters, this has ${arg.length}`;
  const bad = [...id].find((c) => !/[0-9A-HJKMNP-TV-Z]/.test(c))!;
  return `${shown} is not a grant id: grant ids are ULIDs (digits and letters except I, L, O, U), and it contains ${JSON.stringify(bad)}`;
}

export const revokeCommand: Command = async (argv, io) => {
  const taken = takeTimeout(argv, DEFAULT_WAIT_MS);
  if ("problem" in taken) {
    io.stderr(`grantbot revoke: ${taken.problem}\n${USAGE}`);
    return 1;
  }
  const args = taken.rest;
  if (args.length !== 1) {
    io.stderr(`grantbot revoke: ${args.length === 0 ? "missing the grant id" : `expected one grant id, got ${args.length} arguments`}\n${USAGE}`);
    return 1;
  }
  const problem = grantIdProblem(args[0]!);
  if (problem) {
    io.stderr(`grantbot revoke: ${problem}\n${USAGE}`);
    return 1;
  }
  const id = args[0]!.toUpperCase();
  const config = configOrReport(io);
  if (!config) return 1;
  const built = await buildOneShot(config, "revoke", createLogger({ level: "warn" }));
  try {
    const grant = await built.deps.grants.get(id);
    if (!grant) {
      io.stderr(`grantbot revoke: no grant ${id} in ${databaseName(config)}; \`grantbot grants\` lists the known grants\n`);
      return 1;
    }
    const ended = await revokeGrant(built.deps, id, `cli:${io.env.USER ?? "operator"}`);
    if (!ended) {
      io.stdout(`grant ${id} is ${grant.state}; nothing to revoke\n`);
      return 0;
    }
    built.runner.start();
    const deadline = Date.now() + taken.timeoutMs;
    for (let pending = await built.deps.jobs.pending(`scim_remove:${id}:`); pending.length > 0; pending = await built.deps.jobs.pending(`scim_remove:${id}:`)) {
      if (Date.now() > deadline) {
        const why = pending.map((j) => j.lastError).find(Boolean) ?? "the SCIM target has not answered yet";
        io.stderr(`grantbot revoke: grant ${id} is revoked (credential inactive), but its SCIM removal was not verified within ${taken.timeoutMs / 1000}s: ${why}; grantbot serve keeps retrying it\n`);
        return 2;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The DMs and PR comment get what is left of the wait (a job hanging on Slack is not waited for).
    const left = Math.max(0, deadline - Date.now());
    await settlesWithin(built.runner.drain(left), left, systemTimers);
    io.stdout(`grant ${id} revoked: credential inactive, SCIM membership removed and verified\n`);
    return 0;
  } finally {
    await built.close({ boundMs: CLOSE_BOUND_MS });
  }
};
