/**
 * Crash safety of break-glass (issue 14: "a kill -9 at any point never leaves access without its
 * review PR, or a PR without its grant"). grantbot runs in a child process; each round has a new
 * person use `/access breakglass` for a few seconds and kills the child with SIGKILL at a chosen
 * point — before the request is recorded, with the SCIM add applied but not acknowledged or in
 * flight, after each of the review PR's GitHub writes, right after the credential DM, on the first
 * alert, with the expiry's SCIM removal applied or in flight, at a random moment — then restarts it
 * on the same data directory. Afterwards, over everything that happened: every emergency grant has
 * exactly one PR (one commit adding its file with `emergency: true`, on breakglass/<id>, labelled
 * breakglass) and every such PR has its grant; each grant was activated, announced and expired
 * exactly once, its access added and removed exactly once; nothing is left running or dead.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SqliteBreakglassStore } from "../../src/adapters/sqlite/sqlite-breakglass-store.ts";
import type { Grant } from "../../src/domain/grant.ts";
import type { RecordedRequest } from "../fakes/scim-server/index.ts";
import { benchPerson, peopleText } from "../bench/population.ts";
import { KillSwitch, patchMembers } from "./kill-switch.ts";
import { OPS_CHANNEL, ROOT, World, type WorldPerson } from "./world.ts";

const CATALOG = readFileSync(`${ROOT}/grants/catalog.yaml`, "utf8").replace("    slack_channel: C0DBA00001\n", "    slack_channel: C0DBA00001\n    breakglass: { max: 1h, review_within: 24h }\n");
const PR_ROUTES = new Set(["git/create-ref", "repos/create-or-update-file-contents", "pulls/create", "issues/add-labels"]);
const ROUNDS = ["before-record", "add-applied", "add-in-flight", "pr-write-1", "pr-write-2", "pr-write-3", "pr-write-4", "credential-dm", "first-alert", "remove-applied", "remove-in-flight", "random"] as const;
type Round = (typeof ROUNDS)[number];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("crash safety of break-glass: kill -9 at chosen points", () => {
  let world: World;
  let nextPerson = 7_000;
  const people = new Map<string, { person: WorldPerson; round: Round; what: string }>(); // email -> round
  const hung = new Set<RecordedRequest>();
  const aws = () => world.scim.get("aws")!;
  const uid = (email: string) => aws().store.userByName(email)!.id;
  const groupId = () => aws().store.groupByName("prod-db-readonly")!.id;
  const grantOf = (email: string): Grant | null => world.allGrants().find((g) => g.subject === email) ?? null;

  beforeAll(async () => {
    world = await World.start({ catalogText: CATALOG, peopleText: peopleText(7_100), jobRetry: "{ base: 1s, max: 2s }", scimTimeout: "1s" });
    await world.spawn();
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  const ensureRunning = () => world.ensureRunning();

  const patchFor = (op: "add" | "remove", email: string) => (req: RecordedRequest) => req.method === "PATCH" && req.path === `/Groups/${groupId()}` && patchMembers(req.body)[op].includes(uid(email));

  async function round(kind: Round, i: number): Promise<void> {
    await ensureRunning();
    // Earlier rounds' activations and review PRs finish first, so each kill point is this round's.
    const settling = () => world.stores().jobs.pending().filter((j) => j.kind === "activate" || j.kind === "open_breakglass_pr");
    await world.waitFor(() => settling().length === 0, 20_000, "earlier rounds' activations and PRs", 20);
    const person = benchPerson(++nextPerson);
    const sw = new KillSwitch(world);
    const hang = kind.endsWith("in-flight");
    const duration = kind.startsWith("remove") ? "3s" : "4s";
    const githubBefore = world.github.calls().length;
    const slackBefore = world.slack.calls().length;
    let timeoutMs = 8_000;
    switch (kind) {
      case "before-record":
        // Slack tells grantbot who the user is just before the request is recorded.
        sw.when(() => (world.slack.calls().slice(slackBefore).some((c) => c.method === "users.info" && c.args.user === person.slack) ? "before the request was recorded" : null));
        break;
      case "add-applied":
      case "add-in-flight":
        sw.onScim(aws(), patchFor("add", person.email), "SCIM add", { hang, onHang: (r) => hung.add(r) });
        break;
      case "pr-write-1":
      case "pr-write-2":
      case "pr-write-3":
      case "pr-write-4": {
        const k = Number(kind.at(-1));
        sw.when(() => (world.github.calls().slice(githubBefore).filter((c) => c.op && PR_ROUTES.has(c.op)).length >= k ? `review PR after GitHub write ${k}` : null));
        break;
      }
      case "credential-dm":
        sw.when(() => {
          const id = grantOf(person.email)?.id;
          const dm = (c: { method: string; args: Record<string, unknown> }) => c.method === "chat.update" && String(c.args.text ?? "").includes(id ?? "-") && /eyJ[A-Za-z0-9_-]+\./.test(String(c.args.text ?? ""));
          return id && world.slack.calls().slice(slackBefore).some(dm) ? "right after the credential DM" : null;
        });
        break;
      case "first-alert":
        sw.when(() => (world.slack.calls().slice(slackBefore).some((c) => c.method === "chat.postMessage" && c.args.channel === OPS_CHANNEL && String(c.args.text ?? "").includes(person.email)) ? "on the first alert" : null));
        break;
      case "remove-applied":
      case "remove-in-flight":
        sw.onScim(aws(), patchFor("remove", person.email), "SCIM remove at expiry", { hang, onHang: (r) => hung.add(r) });
        timeoutMs = 12_000;
        break;
      case "random":
        sw.at(Date.now() + 5 + ((i * 37) % 300), "random point");
        break;
    }
    const ack = await world.slash(`breakglass prod-db-readonly ${duration} INC-${i} crash round ${kind}`, person.slack).catch(() => null);
    const fired = await Promise.race([sw.fired, sleep(timeoutMs).then(() => null)]);
    if (!fired) sw.kill(`${kind}: trigger did not fire in ${timeoutMs} ms, killed anyway`);
    await world.kill9();
    people.set(person.email, { person, round: kind, what: fired?.what ?? `${kind} (timeout)` });
    if (kind !== "before-record" && kind !== "random") expect(ack?.status).toBe(200);
  }

  it("leaves every emergency grant with exactly one PR and every PR with its grant, access added and removed exactly once", async () => {
    for (const [i, kind] of ROUNDS.entries()) await round(kind, i);

    await ensureRunning();
    const emergency = () => world.allGrants().filter((g) => people.has(g.subject));
    // Every recorded grant reaches its end (4 s grants) and its PR; only the review deadlines (24 h away) stay queued.
    const unfinished = () => world.stores().jobs.pending().filter((j) => j.kind !== "breakglass_review_due");
    await world.waitFor(() => emergency().every((g) => g.state === "expired" && g.prNumber !== null) && unfinished().length === 0, 45_000, "every emergency grant expired with its PR, and the queue empty", 100).catch((err: Error) => {
      throw new Error(`${err.message}\ngrants: ${JSON.stringify(emergency().map((g) => [g.subject, g.state, g.prNumber]))}\njobs: ${JSON.stringify(unfinished().map((j) => [j.kind, j.state, j.attempts, j.lastError]))}`);
    });
    await world.stopChild();

    const { audit, credentials, jobs, db } = world.stores();
    const breakglass = new SqliteBreakglassStore(db);
    const problems: string[] = [];
    const applied = { add: new Map<string, number>(), remove: new Map<string, number>() };
    for (const req of aws().requests()) {
      if (req.method !== "PATCH" || hung.has(req) || req.status === 0 || req.status >= 400) continue;
      const m = patchMembers(req.body);
      for (const id of m.add) applied.add.set(id, (applied.add.get(id) ?? 0) + 1);
      for (const id of m.remove) applied.remove.set(id, (applied.remove.get(id) ?? 0) + 1);
    }
    const members = new Set(aws().members("prod-db-readonly"));
    const pulls = world.github.pulls().filter((p) => p.headRef.startsWith("breakglass/"));

    for (const [email, { round: kind, what }] of people) {
      const label = `${kind} (${what}) ${email}`;
      const grants = world.allGrants().filter((g) => g.subject === email);
      if (grants.length === 0) {
        // Killed before the request was recorded: nothing anywhere.
        if (kind !== "before-record" && kind !== "random") problems.push(`${label}: no grant recorded`);
        if ((applied.add.get(uid(email)) ?? 0) > 0 || members.has(email)) problems.push(`${label}: access without a grant`);
        continue;
      }
      if (grants.length !== 1) problems.push(`${label}: ${grants.length} grants`);
      const g = grants[0]!;
      const count = (action: string) => audit.forGrant(g.id).filter((r) => r.action === action).length;
      const prs = pulls.filter((p) => p.headRef === `breakglass/${g.id}`);
      if (prs.length !== 1) problems.push(`${label}: ${prs.length} PRs (expected exactly 1)`);
      const pr = prs[0];
      if (pr) {
        if (g.prNumber !== pr.number) problems.push(`${label}: records PR ${g.prNumber}, GitHub has ${pr.number}`);
        if (!pr.labels.includes("breakglass")) problems.push(`${label}: PR not labelled breakglass (${pr.labels.join(", ")})`);
        const file = world.github.fileAt(pr.headSha, g.filePath);
        if (file !== g.fileContent || (parse(file) as { emergency?: unknown }).emergency !== true) problems.push(`${label}: the PR's file is not the grant's, with emergency: true`);
        if (world.github.commitsAhead(`breakglass/${g.id}`).length !== 1) problems.push(`${label}: ${world.github.commitsAhead(`breakglass/${g.id}`).length} commits on the branch (expected 1)`);
      }
      if (g.state !== "expired") problems.push(`${label}: ${g.state}, not expired`);
      for (const action of ["grant.activated", "breakglass.activated", "grant.expired", "breakglass.pr_opened"]) if (count(action) !== 1) problems.push(`${label}: ${action} ${count(action)} times`);
      if ((applied.add.get(uid(email)) ?? 0) !== 1) problems.push(`${label}: ${applied.add.get(uid(email)) ?? 0} SCIM adds applied (expected 1)`);
      if ((applied.remove.get(uid(email)) ?? 0) !== 1) problems.push(`${label}: ${applied.remove.get(uid(email)) ?? 0} SCIM removals applied (expected 1)`);
      if (members.has(email)) problems.push(`${label}: still a member after expiry`);
      if (credentials.forGrant(g.id).length !== 1 || credentials.forGrant(g.id).some((c) => c.revokedAt === null)) problems.push(`${label}: credentials ${JSON.stringify(credentials.forGrant(g.id).map((c) => c.revokedAt))}`);
      const record = breakglass.get(g.id);
      if (!record?.announcedAt || record.reviewDeadline !== record.activatedAt! + 86_400_000) problems.push(`${label}: break-glass record ${JSON.stringify(record)}`);
      if (jobs.pendingOf("breakglass_review_due", g.id).length !== 1) problems.push(`${label}: no review deadline job queued`);
    }
    // No PR without its grant.
    for (const p of pulls) if (!world.grant(p.headRef.slice("breakglass/".length))) problems.push(`PR #${p.number} (${p.headRef}) has no grant`);
    const dead = db.prepare("SELECT kind, last_error AS error FROM jobs WHERE state = 'dead'").all() as { kind: string; error: string }[];
    for (const d of dead) problems.push(`dead ${d.kind} job: ${d.error}`);
    if (jobs.pending().some((j) => j.state === "running")) problems.push("jobs left running");
    const chain = audit.verify();
    if (!chain.ok) problems.push(...chain.problems.map((p) => `audit: ${p}`));

    console.info(`break-glass crash suite: ${people.size} rounds; kill points:\n  ${[...people.values()].map((p) => `${p.round}: ${p.what}`).join("\n  ")}`);
    expect(problems).toEqual([]);
    expect(pulls.length).toBeGreaterThanOrEqual(ROUNDS.length - 2);
  }, 300_000);
});
