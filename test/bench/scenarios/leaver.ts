/**
 * Leaver detected -> all of that person's access removed: people with three live grants each
 * (two SCIM targets), seeded as activations leave them; then one at a time either
 * - push: a signed `POST /hooks/directory` leaver event, timed from sending it, or
 * - poll: the person marked inactive in the source-of-truth directory (a scimmy SCIM server),
 *   timed from the directory poll grantbot runs next (triggered at once here; in production the
 *   detection waits up to `directory.poll_interval` on top),
 * until every membership is confirmed removed (audit `scim.member_removed` for each grant).
 */
import { signDirectoryEvent } from "../../../src/adapters/http/directory-hook.ts";
import { waitUntil, type Inspector } from "../inspect.ts";
import { benchPerson } from "../population.ts";
import { seedActiveGrants } from "../seed.ts";
import { summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

export const DIRECTORY_SECRET = "bench-directory-secret-0123456789";
const RESOURCES = ["prod-db-readonly", "bench-01", "bench-02"];

async function removedAt(inspect: Inspector, grantIds: string[]): Promise<number | null> {
  let last = 0;
  for (const id of grantIds) {
    const rows = (await inspect.auditFor(id)).filter((r) => r.action === "scim.member_removed");
    if (rows.length === 0) return null;
    last = Math.max(last, ...rows.map((r) => r.at));
  }
  return last;
}

export async function leaverFigures(ctx: BenchContext, via: "push" | "poll"): Promise<Figure[]> {
  const { world } = ctx;
  const directory = world.directory;
  if (!directory) throw new Error("the bench world has no directory server");
  const n = ctx.quick ? 5 : 15;
  const people = Array.from({ length: n }, () => benchPerson(ctx.nextPerson()));
  for (const p of people) if (!directory.store.userByName(p.email)) directory.createUser({ userName: p.email, displayName: p.email, groups: ["engineering"] });
  await ctx.cluster.stopAll();
  const far = Date.now() + 3_600_000;
  const seeded = await seedActiveGrants(ctx.cluster, {
    people: people.flatMap((p) => RESOURCES.map(() => p)),
    resource: (i) => RESOURCES[i % RESOURCES.length]!,
    expiresAt: () => far,
    scope: "bench:use",
    dm: false,
  });
  await ctx.cluster.spawnAll();
  const lags: number[] = [];
  for (const [k, p] of people.entries()) {
    const ids = seeded.slice(k * RESOURCES.length, (k + 1) * RESOURCES.length).map((g) => g.id);
    const t0 = Date.now();
    if (via === "push") {
      const body = JSON.stringify({ type: "leaver", email: p.email, at: new Date().toISOString(), attributes: {} });
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${world.url}/hooks/directory`, { method: "POST", headers: { "content-type": "application/json", "x-grantbot-timestamp": String(ts), "x-grantbot-signature": signDirectoryEvent(DIRECTORY_SECRET, ts, body) }, body });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`directory push answered ${res.status}`);
    } else {
      directory.setActive(p.email, false);
      const r = await world.request("task", 60_000, { name: "directory-poll" });
      if (!r.ok) throw new Error("the directory poll failed");
    }
    const done = await waitUntil(() => removedAt(ctx.cluster.inspect, ids), 60_000, `removals for ${p.email}`, 5);
    lags.push(done - t0);
  }
  const s = summarize(lags);
  return [
    {
      key: `leaver_${via}`,
      title: via === "push" ? "Leaver pushed -> all access removed" : "Leaver polled -> all access removed",
      summary: s,
      notes: `${RESOURCES.length} grants in 2 targets per person${via === "poll" ? "; timed from the poll (add up to directory.poll_interval to detect)" : ""}`,
    },
  ];
}
