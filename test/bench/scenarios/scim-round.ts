/**
 * What one removal round costs the benchmark's SCIM test servers by themselves — the floor under the
 * 1,000-expiry figure on this machine.
 *
 * In the 1,000-expiry scenario every one of the 20 groups (50 members each) gets a PATCH that
 * removes the members expired so far and a read-back of the group; scimmy's work for a PATCH grows
 * with the group's size, not with the members removed. Here grantbot's own SCIM client sends exactly
 * that pair (or-filter remove, then the members read) for each of 20 such groups, one after another,
 * to a SCIM test server of its own in this process, while the instances are idle: the figure is one
 * round of the fakes' work with a core to themselves. Grants expiring over one second and each
 * removed within one second of its expiry need every group patched and read back at least twice in
 * about 1.5 s (a grant expiring just after its group's PATCH waits for that round and the next), so
 * twice this figure is fake work that must fit in that time on the cores grantbot also uses.
 */
import { ScimGroupDirectory } from "../../../src/adapters/scim/scim-group-directory.ts";
import { startScimServer } from "../../fakes/scim-server/index.ts";
import { BENCH_GROUPS } from "../population.ts";
import { addMembers, ensureUsers } from "../scim-targets.ts";
import { summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const MEMBERS = 50;
const REMOVED = 25;

export async function scimRoundCost(ctx: BenchContext): Promise<Figure[]> {
  const rounds = ctx.quick ? 3 : 7;
  const server = await startScimServer({ pageSize: 100 });
  try {
    const users = ensureUsers(server, Array.from({ length: MEMBERS }, (_, i) => ({ userName: `scim-round-${i}@example.com` })));
    const groups = Array.from({ length: BENCH_GROUPS }, (_, i) => {
      const group = server.store.saveGroup({ id: server.store.newId("g"), displayName: `scim-round-${i}`, members: [] });
      return group.id;
    });
    const client = new ScimGroupDirectory({ name: "scim-round", baseUrl: server.url, token: server.token, profile: "generic" });
    const times: number[] = [];
    // One warm-up round (JIT, connections), then the measured ones.
    for (let round = 0; round <= rounds; round++) {
      for (const id of groups) addMembers(server, server.store.groups.get(id)!.displayName, users);
      const started = performance.now();
      for (const id of groups) {
        const still = await client.removeMembers(id, users.slice(0, REMOVED));
        if (still.size > 0) throw new Error(`the SCIM test server kept ${still.size} members`);
      }
      if (round > 0) times.push(performance.now() - started);
    }
    const s = summarize(times.map((t) => Math.round(t)));
    const requests = server.requests().length / (rounds + 1);
    return [
      {
        key: "scim_round",
        title: `SCIM test server alone: one removal round (${BENCH_GROUPS} groups of ${MEMBERS}, PATCH + read-back each)`,
        summary: s,
        notes: `${REMOVED} removed per group, one group after another, grantbot idle; ${requests.toFixed(0)} requests per round; ${(s.p50 / BENCH_GROUPS).toFixed(1)} ms per group`,
      },
    ];
  } finally {
    await server.close();
  }
}
