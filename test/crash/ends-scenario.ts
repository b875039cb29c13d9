/**
 * The crash-ends scenario, on either back end (crash-ends.test.ts on SQLite,
 * crash-postgres.test.ts on PostgreSQL): crash safety of revocation in the windows where it is hardest: a grant ended (revoked, released,
 * or its subject offboarded) while its activation had applied a SCIM add but not committed it,
 * while an add was in flight and never applied, or while active — and grantbot killed (SIGKILL)
 * again with the removal applied but not committed. The resource has two groups; the second
 * group's target keeps failing while the grant is caught, so activation cannot finish by itself.
 * At the end, over every grant: no subject is a member of any group unless an active grant
 * justifies it, every removal PATCH was applied exactly once, every ended grant's credential
 * introspects inactive, no job is dead and the audit chain verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { signDirectoryEvent } from "../../src/adapters/http/directory-hook.ts";
import { pullRequestEvent } from "../fakes/github-webhooks.ts";
import type { RecordedRequest } from "../fakes/scim-server/index.ts";
import { benchPerson, peopleText } from "../bench/population.ts";
import { MULTI_GROUP_CATALOG } from "../fixtures/multi-group-catalog.ts";
import { KillSwitch, patchMembers } from "./kill-switch.ts";
import { activeCredentialProblems } from "./lifecycle-invariants.ts";
import { World, type WorldOptions, type WorldPerson } from "./world.ts";

const DIRECTORY_SECRET = "crash-directory-push-secret-0123456789";
const CATALOG = MULTI_GROUP_CATALOG;
type How = "revoke" | "release" | "leaver";
type Window = "add-applied" | "add-in-flight" | "active";

const isLive = (g: Grant | null) => g !== null && ["approved", "active"].includes(g.state);

/** `extra`: more world options, resolved in beforeAll (e.g. a fresh PostgreSQL database). */
export function describeEndCrashes(name: string, extra?: () => Promise<Partial<WorldOptions>>): void {
  describe(name, () => {
    let world: World;
    let nextPerson = 5_000;
    const subjects = new Map<string, WorldPerson>(); // grant id -> subject
    const hung = new Set<RecordedRequest>();
    const aws = () => world.scim.get("aws")!;
    const uid = (email: string) => aws().store.userByName(email)!.id;
    const groupId = (group: string) => aws().store.groupByName(group)!.id;

    beforeAll(async () => {
      world = await World.start({ catalogText: CATALOG, peopleText: peopleText(5_100), jobRetry: "{ base: 1s, max: 2s }", scimTimeout: "1s", directory: { secret: DIRECTORY_SECRET }, ...(await extra?.()) });
      await world.spawn();
    }, 60_000);
    afterAll(async () => {
      await world?.close();
    });

    const restart = () => world.ensureRunning();

    async function killOn(match: (req: RecordedRequest) => boolean, what: string, hang: boolean, action: () => Promise<unknown>): Promise<void> {
      const sw = new KillSwitch(world);
      sw.onScim(aws(), match, what, { hang, onHang: (req) => hung.add(req) });
      await action();
      const fired = await Promise.race([sw.fired, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      if (!fired) sw.kill(`${what}: did not happen in 10 s`);
      await world.kill9();
      expect(fired?.what ?? "timeout").toContain(what);
    }

    const patchTouching = (op: "add" | "remove", email: string, group: string) => (req: RecordedRequest) =>
      req.method === "PATCH" && req.path === `/Groups/${groupId(group)}` && patchMembers(req.body)[op].includes(uid(email));

    async function end(how: How, grantId: string, person: WorldPerson): Promise<void> {
      if (how === "leaver") {
        const body = JSON.stringify({ type: "leaver", email: person.email, at: new Date().toISOString() });
        const ts = Math.floor(Date.now() / 1000);
        const res = await fetch(`${world.url}/hooks/directory`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-grantbot-timestamp": String(ts), "x-grantbot-signature": signDirectoryEvent(DIRECTORY_SECRET, ts, body) },
          body,
        });
        expect(res.status).toBe(202);
        return;
      }
      expect((await world.request("end", 10_000, { how, grantId, email: person.email })).ok).toBe(true);
    }

    /** One grant through one window and one way of ending; returns its id. */
    async function round(how: How, window: Window): Promise<string> {
      await restart();
      const person = benchPerson(++nextPerson);
      const ack = await world.slash("multi 1h crash window", person.slack);
      expect(ack.status).toBe(200);
      const id = await world.filedGrantId(ack.responseId, 10_000);
      subjects.set(id, person);
      const pr = (await world.waitForGrant(id, ["pr_open"], 15_000)).prNumber!;
      world.approve(pr);
      world.github.merge(pr, { by: "carol-gh" });
      const deliver = () => world.deliver("pull_request", pullRequestEvent(world.github, pr)).catch(() => undefined);

      if (window === "active") {
        await deliver();
        await world.waitForGrant(id, ["active"], 15_000);
        await world.waitFor(async () => (await world.state.grant(id))?.credentialMessage, 10_000, "credential DM");
      } else {
        // Die on the add to multi-a: applied but not acknowledged, or in flight and never applied.
        await killOn(patchTouching("add", person.email, "multi-a"), "SCIM add", window === "add-in-flight", deliver);
        // From now on multi-b's target refuses every change, so activation cannot finish by itself.
        aws().failWith({ status: 503, times: 1_000_000, match: (method, path) => method === "PATCH" && path === `/Groups/${groupId("multi-b")}` });
        await restart();
        await world.waitForGrant(id, ["approved"], 15_000);
        // Activation ran again after the restart: multi-a read back (or added), multi-b failing.
        await world.waitFor(() => aws().requests().some((r) => r.status === 503 && r.path === `/Groups/${groupId("multi-b")}` && patchMembers(r.body).add.includes(uid(person.email))), 15_000, "activation retrying multi-b");
        expect(aws().members("multi-a")).toContain(person.email);
      }

      // End it, and die with multi-a's removal applied but not committed.
      await killOn(patchTouching("remove", person.email, "multi-a"), "SCIM remove", false, () => end(how, id, person));
      aws().clearFaults();
      await restart();
      await world.waitFor(async () => !isLive(await world.state.grant(id)), 10_000, "the grant ended");
      return id;
    }

    it("leaves no membership behind and removes each exactly once (revoke, release, leaver × add applied, add in flight, active)", async () => {
      const rounds: Array<[How, Window, string]> = [];
      for (const how of ["revoke", "release", "leaver"] as const) for (const window of ["add-applied", "add-in-flight", "active"] as const) rounds.push([how, window, await round(how, window)]);

      await restart();
      // An ended grant's expiry and reminder jobs stay queued for their time (then no-ops); every
      // other job — removals retrying with backoff included — must finish.
      const unfinished = async () => (await world.state.pendingJobs()).filter((j) => !["offboarding_report", "expire", "expiry_reminder"].includes(j.kind));
      await world.waitFor(async () => (await unfinished()).length === 0, 45_000, "every job to finish", 50).catch(async (err: Error) => {
        throw new Error(`${err.message}\nunfinished: ${JSON.stringify((await unfinished()).map((j) => [j.kind, j.state, j.attempts, j.lastError, j.payload]))}`);
      });
      const problems: string[] = [];
      const { state } = world;
      const all = await state.allGrants();

      // 1. No membership without an active grant that covers it (nothing here is a standing member).
      const covered = (email: string, target: string, group: string) =>
        all.some((g) => g.state === "active" && g.subject === email && g.access?.target === target && g.access.groups.includes(group));
      for (const [target, server] of world.scim) {
        for (const group of new Set(Object.values(world.catalog.resources).filter((r) => r.scim.target === target).flatMap((r) => r.scim.groups))) {
          for (const email of server.members(group)) if (!covered(email, target, group)) problems.push(`${email} is in ${target}/${group} with no active grant`);
        }
      }
      // 2. Each removal from multi-a applied exactly once; each ended grant's credentials inactive.
      const applied = new Map<string, number>();
      for (const r of aws().requests()) {
        if (r.method !== "PATCH" || hung.has(r) || r.status === 0 || r.status >= 400 || r.path !== `/Groups/${groupId("multi-a")}`) continue;
        for (const id of patchMembers(r.body).remove) applied.set(id, (applied.get(id) ?? 0) + 1);
      }
      for (const [id, person] of subjects) {
        const g = (await state.grant(id))!;
        const audit = await state.auditFor(id);
        if (isLive(g)) problems.push(`${id}: still ${g.state}`);
        if (!g.access || g.access.groups.length !== 2) problems.push(`${id}: access not recorded (${JSON.stringify(g.access)})`);
        const removed = applied.get(uid(person.email)) ?? 0;
        if (removed !== 1) problems.push(`${id}: ${removed} applied removals from multi-a (expected 1)`);
        const verified = audit.filter((r) => r.action === "scim.member_removed").map((r) => String(r.data?.group));
        for (const group of ["multi-a", "multi-b"]) {
          if (!verified.includes(group)) problems.push(`${id}: no verified removal from ${group} (${rounds.find((r) => r[2] === id)?.slice(0, 2).join("/")}; audit: ${audit.map((r) => `${r.action}${r.data?.group ? `:${String(r.data.group)}:${String(r.data.outcome)}` : ""}`).join(", ")})`);
        }
        if ((await state.credentialsFor(id)).some((c) => c.revokedAt === null)) problems.push(`${id}: ended with an unrevoked credential`);
      }
      problems.push(...(await activeCredentialProblems(world, subjects.keys())));
      for (const d of await state.deadJobs()) problems.push(`dead ${d.kind} job: ${d.error}`);
      const chain = await state.verifyAudit();
      if (!chain.ok) problems.push(...chain.problems.map((p) => `audit: ${p}`));
      expect(subjects.size).toBe(rounds.length);
      expect(problems).toEqual([]);
    }, 240_000);
  });
}
