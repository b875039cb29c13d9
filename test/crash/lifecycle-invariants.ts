/**
 * The end-of-run invariants of the lifecycle crash scenario (lifecycle-scenario.ts), read from
 * grantbot's store on either back end (world.state) and from what the fakes recorded.
 */
import type { Grant } from "../../src/domain/grant.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import type { RecordedRequest } from "../fakes/scim-server/index.ts";
import { patchMembers } from "./kill-switch.ts";
import type { World, WorldPerson } from "./world.ts";

export const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

export interface LifecycleRun {
  /** grant id -> its subject (the grants this run filed). */
  people: Map<string, WorldPerson>;
  /** SCIM requests left unanswered (never applied). */
  hung: Set<RecordedRequest>;
  /** Kill points that happened while a grant was live (for diagnostics). */
  killsFor: Map<string, string[]>;
}

/** The PR head is one commit, on top of the base branch, that adds exactly the grant file. */
function oneCommitAddingTheFile(world: World, headSha: string, path: string): boolean {
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

/** Every violation found, and the run's grants (those in `run.people`). */
export async function lifecycleProblems(world: World, run: LifecycleRun): Promise<{ problems: string[]; all: Grant[] }> {
  const { state } = world;
  const all = (await state.allGrants()).filter((g) => run.people.has(g.id));
  const pending = await state.pendingJobs();
  const problems: string[] = [];
  const scim = world.scim.get("aws")!;
  const scimUserId = (email: string) => scim.store.userByName(email)!.id;
  // Applied PATCHes per SCIM user: every PATCH the server received, except those left hanging.
  const applied = { add: new Map<string, number>(), remove: new Map<string, number>() };
  for (const req of scim.requests()) {
    if (req.method !== "PATCH" || run.hung.has(req)) continue;
    const m = patchMembers(req.body);
    for (const id of m.add) applied.add.set(id, (applied.add.get(id) ?? 0) + 1);
    for (const id of m.remove) applied.remove.set(id, (applied.remove.get(id) ?? 0) + 1);
  }
  const members = new Set(scim.members("prod-db-readonly"));

  for (const g of all) {
    const email = run.people.get(g.id)!.email;
    const uid = scimUserId(email);
    const rows = await state.auditFor(g.id);
    const credentials = await state.credentialsFor(g.id);
    const count = (action: string) => rows.filter((r) => r.action === action).length;
    const pulls = world.github.pulls().filter((p) => p.headRef === `grant/${g.id}`);
    if (pulls.length !== 1) problems.push(`${g.id}: ${pulls.length} PRs (expected exactly 1)`);
    else if (!oneCommitAddingTheFile(world, pulls[0]!.headSha, g.filePath)) problems.push(`${g.id}: the PR is not one commit adding ${g.filePath}`);
    const wasMerged = pulls.some((p) => p.merged);
    if (wasMerged) {
      if (g.state !== "expired") problems.push(`${g.id}: merged and approved but ${g.state}, not expired`);
      if (count("grant.activated") !== 1) problems.push(`${g.id}: activated ${count("grant.activated")} times`);
      if (credentials.length !== 1) problems.push(`${g.id}: ${credentials.length} credentials`);
      if ((applied.add.get(uid) ?? 0) !== 1) problems.push(`${g.id}: ${applied.add.get(uid) ?? 0} SCIM add PATCHes applied (expected 1)`);
    } else if (g.state !== "pr_open") problems.push(`${g.id}: never merged but ${g.state}`);
    if (g.state === "expired") {
      if (count("grant.expired") !== 1) problems.push(`${g.id}: expired ${count("grant.expired")} times`);
      if ((applied.remove.get(uid) ?? 0) !== 1) problems.push(`${g.id}: ${applied.remove.get(uid) ?? 0} SCIM remove PATCHes applied (expected 1)`);
      if (members.has(email)) problems.push(`${g.id}: expired but ${email} is still a member`);
      if (credentials.some((c) => c.revokedAt === null)) problems.push(`${g.id}: expired with an unrevoked credential`);
      if (count("scim.member_removed") < 1) problems.push(`${g.id}: no verified removal in the audit log`);
      // Every credential DM of an ended grant no longer shows the token.
      for (const m of world.slack.messages()) {
        if (m.history.some((v) => v.text.includes(g.id) && JWT_RE.test(v.text)) && JWT_RE.test(world.slack.visibleText(m.channel, m.ts) ?? "")) {
          const dms = world.slack.messages().filter((x) => x.history.some((v) => v.text.includes(g.id) && JWT_RE.test(v.text))).length;
          problems.push(`${g.id}: a credential DM still shows the token after the grant ended (${dms} credential DMs; recorded ${JSON.stringify(g.credentialMessage)}, this one ${m.channel}/${m.ts}; kills: ${run.killsFor.get(g.id)?.join(", ") ?? "?"})`);
        }
      }
    }
    // Nothing non-terminal without a queued job.
    const pendingKinds = pending.filter((j) => j.payload.grantId === g.id).map((j) => j.kind);
    const needs: Partial<Record<Grant["state"], string>> = { requested: JOB.openPr, approved: JOB.activate, active: JOB.expire };
    const need = needs[g.state];
    if (need && !pendingKinds.includes(need)) problems.push(`${g.id}: ${g.state} with no ${need} job queued`);
    if ((await state.grant(g.id)) === null) problems.push(`${g.id}: vanished`);
  }
  const stuck = pending.filter((j) => j.state === "running");
  if (stuck.length > 0) problems.push(`${stuck.length} jobs left running: ${stuck.map((j) => j.kind).join(", ")}`);
  for (const d of await state.deadJobs()) problems.push(`dead ${d.kind} job: ${d.error}`);
  const chain = await state.verifyAudit();
  if (!chain.ok) problems.push(...chain.problems.map((p) => `audit: ${p}`));
  return { problems, all };
}

/**
 * Introspects every token any credential DM of these grants ever showed (the child must be
 * running); one problem per token that is not inactive, with the grant's state.
 */
export async function activeCredentialProblems(world: World, grantIds: Iterable<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const id of grantIds) {
    for (const m of world.slack.messages()) {
      for (const version of m.history) {
        const token = version.text.includes(id) ? JWT_RE.exec(version.text)?.[0] : undefined;
        if (token && (await world.introspect(token)).body.active !== false) problems.push(`${id}: its credential still introspects active (${(await world.state.grant(id))?.state ?? "absent"})`);
      }
    }
  }
  return problems;
}
