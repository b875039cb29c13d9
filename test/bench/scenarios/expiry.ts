/**
 * Expiry lag: scheduled expiry (the grant's `expiresAt`) -> SCIM removal confirmed (audit
 * `scim.member_removed`, written after grantbot read the group back and saw the member gone)
 * AND introspection answering `active:false` (probed over HTTP from `expiresAt` on). A grant's
 * lag is the later of the two.
 *
 * - one grant at a time: grants activated through the real flow (slash -> PR -> merge), their
 *   expiries ~400 ms apart;
 * - 1,000 grants expiring within the same second: seeded (see seed.ts), then grantbot is started
 *   (every instance) and left to expire them; introspection is probed for a sample of 25
 *   (INTROSPECTION_SAMPLE) on instance 0. With `kill`, the last instance is SIGKILLed during the
 *   expiry second, holding leases: the others take its jobs over when the leases lapse (3 s).
 */
import { pullRequestEvent } from "../../fakes/github-webhooks.ts";
import type { World } from "../../crash/world.ts";
import { BENCH_GROUPS, benchPerson, benchResource } from "../population.ts";
import { waitForGrant, waitUntil, type Inspector } from "../inspect.ts";
import { sampleActivity } from "../pg-activity.ts";
import { seedActiveGrants } from "../seed.ts";
import { cpuWindow, describeCpu } from "../proc-cpu.ts";
import { sleep, summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

/** Introspection probe interval in the 1,000-grant scenario (its resolution for "inactive"). */
const PROBE_EVERY_MS = 20;
/**
 * Grants whose introspection is probed in the 1,000-grant scenario, spread over the second. The
 * removals are timed for all 1,000 (from the audit log); each probe is an HTTP request grantbot
 * answers while it revokes, so probing more of them measures the prober as much as grantbot.
 */
const INTROSPECTION_SAMPLE = 25;

const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

/**
 * Resolves with the time introspection first answered inactive, probing from `expiresAt` every
 * `everyMs` (the figure's resolution). The probes are load on grantbot too: the 1,000-grant
 * scenario probes a sample, each from its own expiry, at a coarser interval.
 */
async function inactiveAt(world: World, token: string, expiresAt: number, everyMs = 5): Promise<number> {
  const wait = expiresAt - Date.now();
  if (wait > 0) await sleep(wait);
  for (let i = 0; i < 20_000 / everyMs; i++) {
    const r = await world.introspect(token);
    if (r.status === 200 && r.body.active === false) return Date.now();
    await sleep(everyMs);
  }
  throw new Error("introspection stayed active");
}

async function removalAt(inspect: Inspector, grantId: string): Promise<number | null> {
  const rows = (await inspect.auditFor(grantId)).filter((r) => r.action === "scim.member_removed");
  return rows.length > 0 ? Math.max(...rows.map((r) => r.at)) : null;
}

/** SCIM user ids named by the remove operations of every PATCH the targets received. */
function removalsSent(world: World): { total: number; repeated: number } {
  const seen = new Map<string, number>();
  for (const server of world.scim.values()) {
    for (const r of server.requests()) {
      if (r.method !== "PATCH") continue;
      for (const op of ((r.body as { Operations?: { op: string; path?: string; value?: unknown }[] } | null)?.Operations ?? []).filter((o) => o.op === "remove")) {
        const ids = [...String(op.path ?? "").matchAll(/value eq "([^"]+)"/g)].map((m) => m[1]!);
        if (Array.isArray(op.value)) ids.push(...(op.value as { value: string }[]).map((v) => v.value));
        for (const id of ids) seen.set(`${server.url} ${id}`, (seen.get(`${server.url} ${id}`) ?? 0) + 1);
      }
    }
  }
  const counts = [...seen.values()];
  return { total: counts.reduce((a, b) => a + b, 0), repeated: counts.reduce((a, b) => a + b - 1, 0) };
}

export async function expiryOne(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const n = ctx.quick ? 8 : 25;
  const spacingMs = 400;
  const durationS = Math.ceil((n * (spacingMs + 150 + 2 * ctx.rttMs * 6)) / 1000) + 4;
  const people = Array.from({ length: n }, () => benchPerson(ctx.nextPerson()));
  const filed = await Promise.all(
    people.map(async (p, i) => {
      const ack = await world.slash(`prod-db-readonly ${durationS}s bench: expiry ${i}`, p.slack);
      return world.filedGrantId(ack.responseId);
    }),
  );
  const grants: { id: string; expiresAt: number; token: string }[] = [];
  for (const id of filed) {
    const pr = (await waitForGrant(ctx.cluster.inspect, id, ["pr_open"], 60_000)).prNumber!;
    const started = Date.now();
    world.approve(pr);
    world.github.merge(pr, { by: "carol-gh" });
    await world.deliver("pull_request", pullRequestEvent(world.github, pr));
    const active = await waitForGrant(ctx.cluster.inspect, id, ["active"], 30_000);
    const text = await world.waitFor(() => world.slack.messages().flatMap((m) => m.history).find((v) => v.text.includes(id) && JWT_RE.test(v.text))?.text, 30_000, "credential DM", 5);
    grants.push({ id, expiresAt: active.expiresAt!, token: JWT_RE.exec(text)![0] });
    const left = spacingMs - (Date.now() - started);
    if (left > 0) await sleep(left);
  }
  if (grants[0]!.expiresAt < Date.now()) throw new Error("the first grant expired before all were active; raise the duration");
  const inactive = await Promise.all(grants.map((g) => inactiveAt(world, g.token, g.expiresAt)));
  const removed = await Promise.all(grants.map((g) => waitUntil(() => removalAt(ctx.cluster.inspect, g.id), 30_000, `removal of ${g.id}`, 10)));
  const lags = grants.map((g, i) => Math.max(removed[i]!, inactive[i]!) - g.expiresAt);
  const s = summarize(lags);
  const members = new Set(world.scim.get("aws")!.members("prod-db-readonly"));
  const left = people.filter((p) => members.has(p.email)).length;
  return [
    {
      key: "expiry_lag_1",
      title: "Expiry lag, 1 grant at a time",
      summary: s,
      notes: `removal p99 ${summarize(grants.map((g, i) => removed[i]! - g.expiresAt)).p99} ms, introspection inactive p99 ${summarize(grants.map((g, i) => inactive[i]! - g.expiresAt)).p99} ms${left ? `; ${left} still members!` : ""}`,
      bar: { text: "Expiry -> SCIM removal confirmed and credential inactive: p99 lag < 1 s", met: s.p99 < 1000 && left === 0, why: `p99 ${s.p99} ms` },
    },
  ];
}

/** With `kill`: SIGKILL of the last instance this long into the expiry second (it holds leases then). */
const KILL_AFTER_MS = 300;

export async function expiryThousand(ctx: BenchContext, count: number, opts: { kill?: boolean } = {}): Promise<Figure[]> {
  const { world, cluster } = ctx;
  const { inspect } = cluster;
  if (opts.kill && cluster.instances < 2) throw new Error("the SIGKILL scenario needs --store postgres --instances 2 or more");
  const people = Array.from({ length: count }, () => benchPerson(ctx.nextPerson()));
  await cluster.stopAll();
  // A whole second, after seeding and the restart (PostgreSQL seeds slower; more instances start slower).
  const margin = 12_000 + (cluster.store === "postgres" ? 12_000 + 8_000 * (cluster.instances - 1) : 0);
  const second = Math.ceil((Date.now() + margin) / 1000) * 1000;
  ctx.log(`seeding ${count} active grants expiring in [${new Date(second).toISOString()}, +1 s)`);
  const resourceOf = (i: number) => benchResource(i % BENCH_GROUPS).id;
  const seeded = await seedActiveGrants(cluster, {
    people,
    resource: resourceOf,
    expiresAt: (i) => second + Math.floor((i * 1000) / count),
    scope: "bench:use",
  });
  for (const s of world.scim.values()) s.clearRequests();
  await cluster.spawnAll();
  if (Date.now() > second - 500) throw new Error(`grantbot started too late for the seeded expiries (${Date.now() - second} ms after the second); raise the margin`);
  const sample = seeded.filter((_, i) => i % Math.max(1, Math.floor(count / INTROSPECTION_SAMPLE)) === 0);
  const trace = process.env.BENCH_TRACE ? traceLoops(world, second) : null;
  const activity = process.env.BENCH_PG_ACTIVITY && cluster.databaseUrl ? sampleActivity(cluster.databaseUrl, ctx.log) : null;
  const victim = cluster.instances - 1;
  const killed = opts.kill
    ? sleep(second + KILL_AFTER_MS - Date.now()).then(async () => {
        const held = await inspect.leasesHeldBy(`bench-${victim}`);
        await cluster.kill9(victim);
        return held;
      })
    : Promise.resolve(0);
  // CPU of every process involved from the expiry second until the last removal is confirmed.
  const cpuFrom = sleep(second - Date.now()).then(() => cpuWindow());
  // Every sampled grant is probed from its own expiry (a shared pool of probers would start the
  // later ones late and report their lateness as grantbot's).
  const inactivePromise = Promise.all(sample.map((g) => inactiveAt(world, g.token, g.expiresAt, PROBE_EVERY_MS)));
  const ids = new Set(seeded.map((g) => g.id));
  const removed = await waitUntil(
    async () => {
      const rows = [...(await inspect.lastAuditAt("scim.member_removed"))].filter(([id]) => ids.has(id));
      return rows.length >= count ? new Map(rows) : null;
    },
    180_000,
    `${count} removals`,
    250, // the times come from the audit rows; polling less often only lightens the load
  ).catch(async (err: Error) => {
    const rows = [...(await inspect.lastAuditAt("scim.member_removed"))].filter(([id]) => ids.has(id));
    throw new Error(`${err.message}: ${rows.length} of ${count} confirmed`);
  });
  const cpu = (await cpuFrom)?.stop() ?? null;
  const heldAtKill = await killed;
  await activity?.stop();
  trace?.stop();
  if (trace) {
    for (const [name, server] of world.scim) {
      for (const r of server.requests()) process.stderr.write(`scim ${name} ${r.method} ${r.path.slice(0, 18)} recv t=${r.receivedAt - second} took ${r.finishedAt - r.receivedAt} ms ${r.method === "PATCH" ? `ops=${((r.body as { Operations?: unknown[] })?.Operations ?? []).length}` : ""}\n`);
    }
  }
  const inactive = new Map(sample.map((g) => [g.id, 0] as [string, number]));
  (await inactivePromise).forEach((at, i) => inactive.set(sample[i]!.id, at));
  const lags = seeded.map((g) => Math.max(removed.get(g.id) ?? Number.POSITIVE_INFINITY, inactive.get(g.id) ?? 0) - g.expiresAt);
  const s = summarize(lags);
  const emails = new Set(people.map((p) => p.email));
  let stillMembers = 0;
  for (let i = 0; i < BENCH_GROUPS; i++) {
    const r = benchResource(i);
    stillMembers += world.scim.get(r.target)!.members(r.group).filter((e) => emails.has(e)).length;
  }
  const requests = [...world.scim.values()].flatMap((s) => s.requests());
  const patches = requests.filter((r) => r.method === "PATCH").length;
  const reads = requests.length - patches;
  const removals = removalsSent(world);
  const inactiveLag = summarize(sample.map((g) => inactive.get(g.id)! - g.expiresAt));
  // Where the time goes: scheduled expiry -> grant ended (credential revoked) -> removal confirmed.
  const ended = await inspect.lastAuditAt("grant.expired");
  // Jobs run more than once (a lease that lapsed, a killed instance's jobs taken over) and the pace.
  const attempts = await inspect.jobAttempts(second - 1_000);
  const reruns = attempts.filter((a) => a.attempts > a.jobs).map((a) => `${a.kind} ${a.attempts - a.jobs}`).join(", ") || "none";
  const perSecond = (times: Iterable<number>) => {
    const counts = new Map<number, number>();
    for (const t of times) counts.set(Math.floor((t - second) / 1000), (counts.get(Math.floor((t - second) / 1000)) ?? 0) + 1);
    return [...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}s:${n}`).join(" ");
  };
  ctx.log(`ended per second after the expiry second: ${perSecond([...ended.values()])}`);
  ctx.log(`removals confirmed per second: ${perSecond([...removed.values()])}; jobs re-run: ${reruns}`);
  ctx.log(`jobs since the second: ${attempts.map((a) => `${a.kind} ${a.jobs}/${a.attempts}`).join(", ")}`);
  const toEnd = summarize(seeded.map((g) => (ended.get(g.id) ?? Number.NaN) - g.expiresAt));
  const endToRemoved = summarize(seeded.map((g) => (removed.get(g.id) ?? Number.NaN) - (ended.get(g.id) ?? Number.NaN)));
  const across = cluster.instances > 1 ? ` across ${cluster.instances} instances` : "";
  const label = count.toLocaleString("en");
  const bound = opts.kill ? 5_000 : 1_000;
  const killNote = opts.kill ? `instance ${victim} SIGKILLed at +${KILL_AFTER_MS} ms holding ${heldAtKill} leases; ${removed.size}/${count} removals confirmed; ` : "";
  return [
    {
      key: opts.kill ? `expiry_lag_${count}_kill` : `expiry_lag_${count}${cluster.instances > 1 ? `_x${cluster.instances}` : ""}`,
      title: opts.kill ? `Expiry lag, ${label} in the same second, 1 of ${cluster.instances} instances SIGKILLed` : `Expiry lag, ${label} in the same second (${BENCH_GROUPS} groups, 2 targets)${across}`,
      summary: s,
      notes: `${killNote}expiry->ended p99 ${toEnd.p99} ms, ended->removal confirmed p99 ${endToRemoved.p99} ms; SCIM: ${patches} PATCH (${removals.total} member removals, ${removals.repeated} repeated) + ${reads} GET; introspection inactive p99 ${inactiveLag.p99} ms (sample ${sample.length}, probed every ${PROBE_EVERY_MS} ms); jobs re-run: ${reruns}${cpu ? `; CPU from the expiry second to the last removal: ${describeCpu(cpu)}` : ""}${stillMembers ? `; ${stillMembers} still members!` : ""}`,
      extra: { scimPatches: patches, scimReads: reads, removalsSent: removals, introspectionSample: inactiveLag, expiryToEnded: toEnd, endedToRemovalConfirmed: endToRemoved, jobAttempts: attempts, cpu, ...(opts.kill ? { leasesHeldByKilled: heldAtKill, confirmed: removed.size } : {}) },
      bar: {
        text: opts.kill ? `One of ${cluster.instances} instances SIGKILLed at the expiry second: every removal confirmed, p99 lag < 5 s` : `Expiry lag p99 < 1 s with ${label} grants expiring in the same second${across}`,
        met: s.p99 < bound && stillMembers === 0 && removed.size >= count,
        why: `p99 ${s.p99} ms${opts.kill ? `, ${removed.size}/${count} confirmed` : ""}`,
      },
    },
  ];
}

/** BENCH_TRACE=1: prints both processes' event-loop utilisation every 250 ms around the expiry second. */
function traceLoops(world: World, second: number): { stop(): void } {
  let last = performance.eventLoopUtilization();
  let lastChild: { eluActive: number; eluIdle: number } | null = null;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const parent = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    void world.request("stats").then((raw) => {
      const s = raw as { eluActive: number; eluIdle: number };
      const child = lastChild ? (s.eluActive - lastChild.eluActive) / (s.eluActive - lastChild.eluActive + s.eluIdle - lastChild.eluIdle) : Number.NaN;
      lastChild = s;
      process.stderr.write(`t=${Date.now() - second}ms parent ELU ${(parent * 100).toFixed(0)}% child ELU ${(child * 100).toFixed(0)}%\n`);
    });
  }, 250);
  return { stop: () => clearInterval(timer) };
}
