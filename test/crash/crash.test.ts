/**
 * Crash safety (PRODUCT.md: "a crash (kill -9) at any point never loses an approved grant or a
 * revocation; after restart each happens exactly once"). grantbot runs in a child process against
 * the fakes in this process; a workload of requests, merges and short grants runs while the child
 * is killed with SIGKILL at chosen and random points — during PR creation, after a merge before
 * the SCIM add, with the SCIM add in flight or applied-but-unacknowledged, right after the
 * credential DM, between the credential revocation and the SCIM removal, with the removal in
 * flight, in the middle of a batch of simultaneous expiries — and restarted on the same data
 * directory each time. Then the invariants are checked over everything that happened.
 * CRASH_SEED=<n> replays a run; CRASH_KILLS=<n> changes the number of kills (default 32).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import { pullRequestEvent } from "../fakes/github-webhooks.ts";
import type { RecordedRequest } from "../fakes/scim-server/index.ts";
import { benchPerson, peopleText } from "../bench/population.ts";
import { KillSwitch, patchMembers } from "./kill-switch.ts";
import { World, type WorldPerson } from "./world.ts";

const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const KILLS = Number(process.env.CRASH_KILLS ?? 32);
const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;
const PR_ROUTES = new Set(["git/create-ref", "repos/create-or-update-file-contents", "pulls/create", "issues/add-labels"]);
const ROUND_KINDS = ["pr-call", "before-add", "add-patch", "after-activation", "remove-patch", "after-expiry", "batch", "random"] as const;
type RoundKind = (typeof ROUND_KINDS)[number];

function prng(seed: number): () => number {
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

describe("crash safety: kill -9 at any point", () => {
  let world: World;
  const random = prng(SEED);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  let nextPerson = 0;
  const people = new Map<string, WorldPerson>(); // grant id -> its subject
  const open5s: string[] = []; // filed requests (4 s grants) for single activations
  const open3s: string[] = []; // filed requests (3 s grants) for batch rounds
  const hung = new Set<RecordedRequest>(); // SCIM requests left unanswered (never applied)
  const kills: string[] = [];
  const occurrences = new Map<RoundKind, number>();
  /** Kill points that happened while a grant was live (for diagnostics). */
  const killsFor = new Map<string, string[]>();

  /** The PR head is one commit, on top of the base branch, that adds exactly the grant file. */
  function oneCommitAddingTheFile(headSha: string, path: string): boolean {
    const git = world.github.state.git;
    const head = git.commit(headSha);
    if (!head || head.parents.length !== 1) return false;
    const parent = git.commit(head.parents[0]!);
    if (!parent) return false;
    const before = git.flatten(parent.tree);
    const after = git.flatten(head.tree);
    const added = [...after.keys()].filter((k) => !before.has(k));
    const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k)!.sha !== after.get(k)!.sha);
    return added.length === 1 && added[0] === path && changed.length === 0 && before.size + 1 === after.size;
  }

  beforeAll(async () => {
    world = await World.start({ peopleText: peopleText(150), jobRetry: "{ base: 1s, max: 2s }", scimTimeout: "1s" });
    await world.spawn();
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  async function ensureRunning(): Promise<void> {
    if (!world.child) await world.spawn();
    // The backstops a restart relies on: expiry sweep and a GitHub poll (merges whose webhook died with us).
    await world.request("tick").catch(() => undefined);
  }

  /** Files `/access prod-db-readonly <duration>` for a new person; resolves with the grant id (null if killed first). */
  async function file(duration: string): Promise<string | null> {
    const person = benchPerson(++nextPerson);
    try {
      const ack = await world.slash(`prod-db-readonly ${duration} crash test`, person.slack);
      if (ack.status !== 200) return null;
      const id = await world.filedGrantId(ack.responseId, 5_000);
      people.set(id, person);
      return id;
    } catch {
      return null; // killed before it was filed: nothing was promised
    }
  }

  async function waitOpen(ids: string[]): Promise<void> {
    await world.waitFor(() => ids.every((id) => world.grant(id)?.state === "pr_open"), 30_000, "PRs to open", 20);
  }

  /** Approves and merges a grant's PR, then delivers the webhook (best effort: grantbot may be dead). */
  async function merge(id: string): Promise<void> {
    const pr = (await world.waitForGrant(id, ["pr_open"], 15_000)).prNumber!;
    world.approve(pr);
    world.github.merge(pr, { by: "carol-gh" });
    await world.deliver("pull_request", pullRequestEvent(world.github, pr)).catch(() => undefined);
  }

  function scimUserId(email: string): string {
    return world.scim.get("aws")!.store.userByName(email)!.id;
  }

  function patchOf(op: "add" | "remove", email: string | null) {
    const id = email === null ? null : scimUserId(email);
    return (req: RecordedRequest) => req.method === "PATCH" && (id === null ? patchMembers(req.body)[op].length > 0 : patchMembers(req.body)[op].includes(id));
  }

  async function round(kind: RoundKind): Promise<void> {
    await ensureRunning();
    const sw = new KillSwitch(world);
    const scim = world.scim.get("aws")!;
    // In flight (never applied) and applied-but-unacknowledged alternate, so both happen.
    const occurrence = (occurrences.get(kind) ?? 0) + 1;
    occurrences.set(kind, occurrence);
    const hang = (occurrence + SEED) % 2 === 0;
    const onHang = (req: RecordedRequest) => hung.add(req);
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
        sw.onScim(scim, patchOf("add", people.get(id)!.email), "SCIM add", { hang, onHang });
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
        const soonest = Math.min(...world.allGrants().filter((g) => g.state === "active").map((g) => g.expiresAt!));
        timeoutMs = Number.isFinite(soonest) ? Math.min(8_000, Math.max(1_000, soonest - Date.now() + 1_500)) : 1_000;
        break;
      }
      case "after-expiry": {
        const soonest = world.allGrants().filter((g) => g.state === "active").sort((a, b) => a.expiresAt! - b.expiresAt!)[0];
        if (soonest) sw.at(soonest.expiresAt! + between(0, 40), "between credential revocation and SCIM removal");
        else sw.at(Date.now() + between(0, 300), "random (nothing was about to expire)");
        break;
      }
      case "batch": {
        // Five grants expiring within the same ~100 ms; die while their batch is being processed.
        const ids = open3s.splice(0, 5);
        await Promise.all(ids.map((id) => merge(id)));
        const active = await world.waitFor(() => {
          const gs = ids.map((id) => world.grant(id));
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
    for (const g of world.allGrants()) if (g.state === "active" || g.state === "approved") killsFor.set(g.id, [...(killsFor.get(g.id) ?? []), what]);
  }

  it(`never loses an approved grant or a revocation, and does each exactly once (${KILLS} kills, seed ${SEED})`, async () => {
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
    await world.waitFor(() => {
      const grants = world.allGrants();
      const live = grants.filter((g) => g.state === "approved" || g.state === "active" || g.state === "requested" || (g.state === "pr_open" && merged.has(g.prNumber!)));
      return live.length === 0 && world.stores().jobs.pending().length === 0;
    }, 45_000, "every merged grant to be activated and expired, and the queue empty", 100);
    await world.stopChild();

    const { grants: grantStore, jobs, audit, credentials } = world.stores();
    const all = world.allGrants().filter((g) => people.has(g.id));
    const problems: string[] = [];
    const scim = world.scim.get("aws")!;
    // Applied PATCHes per SCIM user: every PATCH the server received, except those left hanging.
    const applied = { add: new Map<string, number>(), remove: new Map<string, number>() };
    for (const req of scim.requests()) {
      if (req.method !== "PATCH" || hung.has(req)) continue;
      const m = patchMembers(req.body);
      for (const id of m.add) applied.add.set(id, (applied.add.get(id) ?? 0) + 1);
      for (const id of m.remove) applied.remove.set(id, (applied.remove.get(id) ?? 0) + 1);
    }
    const members = new Set(scim.members("prod-db-readonly"));

    for (const g of all) {
      const email = people.get(g.id)!.email;
      const uid = scimUserId(email);
      const rows = audit.forGrant(g.id);
      const count = (action: string) => rows.filter((r) => r.action === action).length;
      const pulls = world.github.pulls().filter((p) => p.headRef === `grant/${g.id}`);
      if (pulls.length !== 1) problems.push(`${g.id}: ${pulls.length} PRs (expected exactly 1)`);
      else if (!oneCommitAddingTheFile(pulls[0]!.headSha, g.filePath)) problems.push(`${g.id}: the PR is not one commit adding ${g.filePath}`);
      const wasMerged = pulls.some((p) => p.merged);
      if (wasMerged) {
        if (g.state !== "expired") problems.push(`${g.id}: merged and approved but ${g.state}, not expired`);
        if (count("grant.activated") !== 1) problems.push(`${g.id}: activated ${count("grant.activated")} times`);
        if (credentials.forGrant(g.id).length !== 1) problems.push(`${g.id}: ${credentials.forGrant(g.id).length} credentials`);
        if ((applied.add.get(uid) ?? 0) !== 1) problems.push(`${g.id}: ${applied.add.get(uid) ?? 0} SCIM add PATCHes applied (expected 1)`);
      } else if (g.state !== "pr_open") problems.push(`${g.id}: never merged but ${g.state}`);
      if (g.state === "expired") {
        if (count("grant.expired") !== 1) problems.push(`${g.id}: expired ${count("grant.expired")} times`);
        if ((applied.remove.get(uid) ?? 0) !== 1) problems.push(`${g.id}: ${applied.remove.get(uid) ?? 0} SCIM remove PATCHes applied (expected 1)`);
        if (members.has(email)) problems.push(`${g.id}: expired but ${email} is still a member`);
        if (credentials.forGrant(g.id).some((c) => c.revokedAt === null)) problems.push(`${g.id}: expired with an unrevoked credential`);
        if (count("scim.member_removed") < 1) problems.push(`${g.id}: no verified removal in the audit log`);
        // Every credential DM of an ended grant no longer shows the token.
        for (const m of world.slack.messages()) {
          if (m.history.some((v) => v.text.includes(g.id) && JWT_RE.test(v.text)) && JWT_RE.test(world.slack.visibleText(m.channel, m.ts) ?? "")) {
            const dms = world.slack.messages().filter((x) => x.history.some((v) => v.text.includes(g.id) && JWT_RE.test(v.text))).length;
            problems.push(`${g.id}: a credential DM still shows the token after the grant ended (${dms} credential DMs; recorded ${JSON.stringify(g.credentialMessage)}, this one ${m.channel}/${m.ts}; kills: ${killsFor.get(g.id)?.join(", ") ?? "?"})`);
          }
        }
      }
      // Nothing non-terminal without a queued job.
      const pendingKinds = jobs.pending().filter((j) => j.payload.grantId === g.id).map((j) => j.kind);
      const needs: Partial<Record<Grant["state"], string>> = { requested: JOB.openPr, approved: JOB.activate, active: JOB.expire };
      const need = needs[g.state];
      if (need && !pendingKinds.includes(need)) problems.push(`${g.id}: ${g.state} with no ${need} job queued`);
      if (grantStore.get(g.id) === null) problems.push(`${g.id}: vanished`);
    }
    const stuck = jobs.pending().filter((j) => j.state === "running");
    if (stuck.length > 0) problems.push(`${stuck.length} jobs left running: ${stuck.map((j) => j.kind).join(", ")}`);
    const dead = world.stores().db.prepare("SELECT kind, last_error AS error FROM jobs WHERE state = 'dead'").all() as { kind: string; error: string }[];
    for (const d of dead) problems.push(`dead ${d.kind} job: ${d.error}`);
    const chain = audit.verify();
    if (!chain.ok) problems.push(...chain.problems.map((p) => `audit: ${p}`));

    const expired = all.filter((g) => g.state === "expired").length;
    console.info(`crash suite (seed ${SEED}): ${kills.length} kills, ${all.length} grants (${expired} activated and expired); kill points:\n  ${[...new Set(kills)].map((k) => `${kills.filter((x) => x === k).length}× ${k}`).join("\n  ")}`);
    expect(kills.length).toBeGreaterThanOrEqual(KILLS);
    expect(expired).toBeGreaterThan(KILLS / 3);
    expect(problems).toEqual([]);
  }, 240_000);
});
