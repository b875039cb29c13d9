/**
 * The lifecycle crash scenario, on either back end (crash.test.ts on SQLite,
 * crash-postgres.test.ts on PostgreSQL). grantbot runs in a child process against the fakes in
 * this process; a workload of requests, merges and short grants runs while the child is killed
 * with SIGKILL at chosen and random points — during PR creation, after a merge before the SCIM
 * add, with the SCIM add in flight or applied-but-unacknowledged, right after the credential DM,
 * between the credential revocation and the SCIM removal, with the removal in flight, in the
 * middle of a batch of simultaneous expiries — and restarted on the same store each time. Then
 * the invariants (lifecycle-invariants.ts) are checked over everything that happened.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { pullRequestEvent } from "../fakes/github-webhooks.ts";
import type { RecordedRequest } from "../fakes/scim-server/index.ts";
import { benchPerson, peopleText } from "../bench/population.ts";
import { KillSwitch, patchMembers } from "./kill-switch.ts";
import { activeCredentialProblems, JWT_RE, lifecycleProblems, type LifecycleRun } from "./lifecycle-invariants.ts";
import { World, type WorldOptions } from "./world.ts";

const PR_ROUTES = new Set(["git/create-ref", "repos/create-or-update-file-contents", "pulls/create", "issues/add-labels"]);
const ROUND_KINDS = ["pr-call", "before-add", "add-patch", "after-activation", "remove-patch", "after-expiry", "batch", "random"] as const;
type RoundKind = (typeof ROUND_KINDS)[number];

export interface CrashScenarioOptions {
  /** The describe block's name. */
  name: string;
  seed: number;
  kills: number;
  /** Extra world options, resolved in beforeAll (e.g. a fresh PostgreSQL database). */
  world?: () => Promise<Partial<WorldOptions>>;
  /** The test's timeout (ms). */
  timeoutMs?: number;
}

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const live = (g: Grant) => g.state === "active" || g.state === "approved";

export function describeLifecycleCrashes({ name, seed: SEED, kills: KILLS, world: extra, timeoutMs = 240_000 }: CrashScenarioOptions): void {
  describe(name, () => {
    let world: World;
    const random = prng(SEED);
    const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    let nextPerson = 0;
    const run: LifecycleRun = { people: new Map(), hung: new Set(), killsFor: new Map() };
    const open5s: string[] = []; // filed requests (4 s grants) for single activations
    const open3s: string[] = []; // filed requests (3 s grants) for batch rounds
    const kills: string[] = [];
    const occurrences = new Map<RoundKind, number>();

    beforeAll(async () => {
      world = await World.start({ peopleText: peopleText(150), jobRetry: "{ base: 1s, max: 2s }", scimTimeout: "1s", ...(await extra?.()) });
      await world.spawn();
    }, 60_000);

    afterAll(async () => {
      await world?.close();
    });

    const ensureRunning = () => world.ensureRunning();

    /** Files `/access prod-db-readonly <duration>` for a new person; resolves with the grant id (null if killed first). */
    async function file(duration: string): Promise<string | null> {
      const person = benchPerson(++nextPerson);
      try {
        const ack = await world.slash(`prod-db-readonly ${duration} crash test`, person.slack);
        if (ack.status !== 200) return null;
        const id = await world.filedGrantId(ack.responseId, 5_000);
        run.people.set(id, person);
        return id;
      } catch {
        return null; // killed before it was filed: nothing was promised
      }
    }

    async function waitOpen(ids: string[]): Promise<void> {
      await world.waitFor(async () => {
        const open = new Set((await world.state.allGrants()).filter((g) => g.state === "pr_open").map((g) => g.id));
        return ids.every((id) => open.has(id));
      }, 30_000, "PRs to open", 20);
    }

    /** Approves and merges a grant's PR, then delivers the webhook (best effort: grantbot may be dead). */
    async function merge(id: string): Promise<void> {
      const pr = (await world.waitForGrant(id, ["pr_open"], 15_000)).prNumber!;
      world.approve(pr);
      world.github.merge(pr, { by: "carol-gh" });
      await world.deliver("pull_request", pullRequestEvent(world.github, pr)).catch(() => undefined);
    }

    function patchOf(op: "add" | "remove", email: string | null) {
      const id = email === null ? null : world.scim.get("aws")!.store.userByName(email)!.id;
      return (req: RecordedRequest) => req.method === "PATCH" && (id === null ? patchMembers(req.body)[op].length > 0 : patchMembers(req.body)[op].includes(id));
    }

    async function soonestActive(): Promise<Grant | undefined> {
      return (await world.state.allGrants()).filter((g) => g.state === "active").sort((a, b) => a.expiresAt! - b.expiresAt!)[0];
    }

    async function round(kind: RoundKind): Promise<void> {
      await ensureRunning();
      const sw = new KillSwitch(world);
      const scim = world.scim.get("aws")!;
      // In flight (never applied) and applied-but-unacknowledged alternate, so both happen.
      const occurrence = (occurrences.get(kind) ?? 0) + 1;
      occurrences.set(kind, occurrence);
      const hang = (occurrence + SEED) % 2 === 0;
      const onHang = (req: RecordedRequest) => run.hung.add(req);
      let timeoutMs = 6_000;
      switch (kind) {
        case "pr-call": {
          // Dies after the k-th of the PR's GitHub writes (branch, commit, PR, labels).
          const k = between(1, 4);
          const before = world.github.calls().length;
          sw.when(() => (world.github.calls().slice(before).filter((c) => c.op && PR_ROUTES.has(c.op)).length >= k ? `PR creation after GitHub write ${k}` : null));
          void file("4s").then((id) => id && open5s.push(id));
          break;
        }
        case "before-add": {
          const id = open5s.shift()!;
          sw.onScim(scim, (r) => r.method === "GET" && r.path === "/Users", "after merge, before the SCIM add");
          await merge(id);
          break;
        }
        case "add-patch": {
          const id = open5s.shift()!;
          sw.onScim(scim, patchOf("add", run.people.get(id)!.email), "SCIM add", { hang, onHang });
          await merge(id);
          break;
        }
        case "after-activation": {
          const id = open5s.shift()!;
          sw.when(() => (world.slack.calls().some((c) => (c.method === "chat.postMessage" || c.method === "chat.update") && String(c.args.text ?? "").includes(id) && JWT_RE.test(String(c.args.text))) ? "right after the credential DM" : null));
          await merge(id);
          break;
        }
        case "remove-patch": {
          // The next removal of any expiring grant (credential already revoked, membership not yet).
          sw.onScim(scim, patchOf("remove", null), "SCIM remove", { hang, onHang });
          const soonest = (await soonestActive())?.expiresAt ?? Infinity;
          timeoutMs = Number.isFinite(soonest) ? Math.min(8_000, Math.max(1_000, soonest - Date.now() + 1_500)) : 1_000;
          break;
        }
        case "after-expiry": {
          const soonest = await soonestActive();
          if (soonest) sw.at(soonest.expiresAt! + between(0, 40), "between credential revocation and SCIM removal");
          else sw.at(Date.now() + between(0, 300), "random (nothing was about to expire)");
          break;
        }
        case "batch": {
          // Five grants expiring within the same ~100 ms; die while their batch is being processed.
          const ids = open3s.splice(0, 5);
          await Promise.all(ids.map((id) => merge(id)));
          const active = await world.waitFor(async () => {
            const gs = await Promise.all(ids.map((id) => world.state.grant(id)));
            return gs.every((g) => g?.state === "active") ? (gs as Grant[]) : null;
          }, 10_000, "batch grants active", 10).catch(() => null);
          const first = active ? Math.min(...active.map((g) => g.expiresAt!)) : Date.now();
          sw.at(first + between(0, 150), "mid-batch of simultaneous expiries");
          break;
        }
        case "random": {
          void file("4s").then((id) => id && open5s.push(id));
          const id = open5s.shift();
          if (id) void merge(id);
          sw.at(Date.now() + between(5, 400), "random point");
          break;
        }
      }
      const fired = await Promise.race([sw.fired, sleep(timeoutMs).then(() => null)]);
      if (!fired) sw.kill(`${kind}: trigger did not fire in ${timeoutMs} ms, killed anyway`);
      await world.kill9();
      const what = (fired ?? { what: `${kind} (timeout)` }).what;
      kills.push(what);
      for (const g of (await world.state.allGrants()).filter(live)) run.killsFor.set(g.id, [...(run.killsFor.get(g.id) ?? []), what]);
    }

    it(`never loses an approved grant or a revocation, and does each exactly once (${KILLS} kills, seed ${SEED})`, async () => {
      const started = Date.now();
      // Requests for the rounds: 4 s grants for single activations, 3 s grants for batches.
      const rounds = Array.from({ length: KILLS }, (_, i) => ROUND_KINDS[i % ROUND_KINDS.length]!);
      const singles = rounds.filter((k) => k === "before-add" || k === "add-patch" || k === "after-activation" || k === "random").length;
      const batches = rounds.filter((k) => k === "batch").length;
      const five = await Promise.all(Array.from({ length: singles + 2 }, () => file("4s")));
      const three = await Promise.all(Array.from({ length: batches * 5 }, () => file("3s")));
      open5s.push(...(five.filter(Boolean) as string[]));
      open3s.push(...(three.filter(Boolean) as string[]));
      await waitOpen([...open5s, ...open3s]);

      for (const kind of rounds) await round(kind);

      // Recovery: restart once more and let everything due finish (every grant here is short).
      await ensureRunning();
      const merged = new Set(world.github.pulls().filter((p) => p.merged).map((p) => p.number));
      await world.waitFor(async () => {
        const unfinished = (await world.state.allGrants()).filter((g) => live(g) || g.state === "requested" || (g.state === "pr_open" && merged.has(g.prNumber!)));
        return unfinished.length === 0 && (await world.state.pendingJobs()).length === 0;
      }, 45_000, "every merged grant to be activated and expired, and the queue empty", 100);
      const stillActive = await activeCredentialProblems(world, run.people.keys());
      await world.stopChild();

      const { problems, all } = await lifecycleProblems(world, run);
      problems.push(...stillActive);
      const expired = all.filter((g) => g.state === "expired").length;
      console.info(`${name} (seed ${SEED}): ${kills.length} kills, ${all.length} grants (${expired} activated and expired) in ${Math.round((Date.now() - started) / 1000)} s; kill points:\n  ${[...new Set(kills)].map((k) => `${kills.filter((x) => x === k).length}× ${k}`).join("\n  ")}`);
      expect(kills.length).toBeGreaterThanOrEqual(KILLS);
      expect(expired).toBeGreaterThan(KILLS / 3);
      expect(problems).toEqual([]);
    }, timeoutMs);
  });
}
