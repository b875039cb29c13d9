/**
 * `grantbot grants [--active] [--json]`: list grants from grantbot's database (PostgreSQL with
 * GRANTBOT_DATABASE_URL, else the SQLite database of GRANTBOT_DATA_DIR). Read-only.
 */
import type { Command } from "./io.ts";
import { openCliStores } from "./cli-stores.ts";
import { describeRemaining, formatDuration } from "../domain/durations.ts";
import { GRANT_STATES } from "../domain/grant.ts";
import { systemClock } from "../shared/clock.ts";

export const grantsCommand: Command = async (args, io) => {
  const unknown = args.filter((a) => a !== "--active" && a !== "--json");
  if (unknown.length) {
    io.stderr(`grantbot grants: unknown option ${unknown[0]}\nusage: grantbot grants [--active] [--json]\n`);
    return 1;
  }
  const opened = await openCliStores(io, "grants");
  if (!opened) return 1;
  const store = opened.stores;
  try {
    const states = args.includes("--active") ? (["active"] as const) : GRANT_STATES;
    const grants = await store.grants.listByState(states, 100_000);
    if (args.includes("--json")) {
      for (const g of grants) io.stdout(`${JSON.stringify({ id: g.id, resource: g.resource, subject: g.subject, state: g.state, duration: formatDuration(g.durationMs), pr: g.prNumber, expiresAt: g.expiresAt ? new Date(g.expiresAt).toISOString() : null })}\n`);
      return 0;
    }
    const now = systemClock.now();
    io.stdout(`${"ID".padEnd(26)}  ${"STATE".padEnd(9)}  ${"RESOURCE".padEnd(24)}  ${"SUBJECT".padEnd(28)}  REMAINING\n`);
    for (const g of grants) {
      const remaining = g.state === "active" && g.expiresAt ? describeRemaining(g.expiresAt - now) : "";
      io.stdout(`${g.id}  ${g.state.padEnd(9)}  ${g.resource.padEnd(24)}  ${g.subject.padEnd(28)}  ${remaining}\n`);
    }
    io.stderr(`${grants.length} grant(s)\n`);
    return 0;
  } finally {
    await store.close();
  }
};
