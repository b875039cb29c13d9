/**
 * `grantbot revoke <grant-id>`: end a live grant now, through the same durable path as expiry,
 * and wait (up to 2 minutes) until every SCIM removal is confirmed. Safe while `serve` runs on
 * the same database: jobs are claimed with leases, so each runs once.
 */
import type { Command } from "./io.ts";
import { configOrReport } from "./load.ts";
import { ULID_RE } from "../domain/grant-files.ts";
import { buildGrantbot } from "../main.ts";
import { revokeGrant } from "../services/grants/grant-commands.ts";
import { createLogger } from "../shared/logger.ts";

const USAGE = "usage: grantbot revoke <grant-id>   (ids are listed by `grantbot grants --active`)\n";

/** Why `arg` is not a grant id, or null when it is one. */
export function grantIdProblem(arg: string): string | null {
  const id = arg.toUpperCase();
  if (ULID_RE.test(id)) return null;
  const shown = JSON.stringify(arg.length > 40 ? `${arg.slice(0, 40)}…` : arg);
  if (id.length !== 26) return `${shown} is not a grant id: grant ids are ULIDs of 26 characters, this has ${arg.length}`;
  const bad = [...id].find((c) => !/[0-9A-HJKMNP-TV-Z]/.test(c))!;
  return `${shown} is not a grant id: grant ids are ULIDs (digits and letters except I, L, O, U), and it contains ${JSON.stringify(bad)}`;
}

export const revokeCommand: Command = async (args, io) => {
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
  const built = await buildGrantbot(config, { log: createLogger({ level: "warn" }), recoverJobs: false });
  try {
    const grant = built.deps.grants.get(id);
    if (!grant) {
      io.stderr(`grantbot revoke: no grant ${id} in the database of GRANTBOT_DATA_DIR=${config.dataDir}; \`grantbot grants\` lists the known grants\n`);
      return 1;
    }
    const ended = revokeGrant(built.deps, id, `cli:${io.env.USER ?? "operator"}`);
    if (!ended) {
      io.stdout(`grant ${id} is ${grant.state}; nothing to revoke\n`);
      return 0;
    }
    built.runner.start();
    const deadline = Date.now() + 120_000;
    while (built.deps.jobs.pending(`scim_remove:${id}:`).length > 0) {
      if (Date.now() > deadline) {
        io.stderr(`grant ${id} revoked; SCIM removal still being retried (grantbot serve will finish it)\n`);
        return 2;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await built.runner.drain(10_000).catch(() => undefined);
    io.stdout(`grant ${id} revoked: credential inactive, SCIM membership removed and verified\n`);
    return 0;
  } finally {
    await built.close();
  }
};
