/**
 * A grantbot database with a history worth reporting on, written through the real SQLite stores
 * (grants, audit log, directory snapshot, offboarding cases), plus a real SCIM server whose
 * groups drift from it and a second target that cannot be reached. Break-glass and access-review
 * audit rows are seeded in the form their features write them. `EXPECTED` is what the report
 * must show, worked out by hand from the story below (not from the report code).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import { createGroupDirectories } from "../../src/adapters/scim/group-directories.ts";
import { newGrant, type Grant, type GrantState } from "../../src/domain/grant.ts";
import { parsePolicy, StaticPolicyProvider } from "../../src/services/policy/policy-provider.ts";
import type { GatherEvidenceDeps } from "../../src/services/evidence/gather-evidence.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";

export const NOW = Date.parse("2026-06-30T12:00:00Z");
const MIN = 60_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;
export const HOSTILE_REASON = `<img src=x onerror="alert(1)"> INC-9 </td></table><script>alert(2)</script> token xoxb-123456789012-abcdefghijkl`;

export const CATALOG = `resources:
  prod-db-readonly:
    description: Read-only replica
    scim: { target: aws, groups: [prod-db-readonly] }
    duration: { default: 1h, max: 4h }
    approvers: { users: [carol-gh], min: 1 }
    standing_members: [dana@example.com]
  prod-admin:
    description: Admin
    scim: { target: aws, groups: [prod-admin] }
    duration: { default: 1h, max: 2h }
    approvers: { users: [carol-gh, dave-gh], min: 1 }
    enforce: true
  billing-ro:
    description: Billing read-only
    scim: { target: okta, groups: [billing-ro] }
    duration: { default: 1h, max: 1h }
    approvers: { users: [dave-gh], min: 1 }
`;
export const PEOPLE = `people:
${["alice", "bob", "carol", "dave", "dana", "erin", "frank", "gina", "hank", "ivan"].map((n) => `  - { email: ${n}@example.com, github: ${n}-gh }`).join("\n")}
`;

/** What the report must say (hand-computed from the story). */
export const EXPECTED = {
  listedGrants: 11, // every grant but the one from last year
  requested: 11,
  approved: 9, // g1 g2 g3 g4 g5 g6 g7 g8 g11 (g9 rejected, g10 declined)
  timelineBars: 9, // the nine activated grants
  lagBuckets: 8, // < 100 ms, 100–250 ms, 250–500 ms, 500 ms–1 s, 1–2 s, 2–5 s, 5 s–1 min, ≥ 1 min
  expiries: 5, // g1, g2, g3, g4 (extended: membership kept), g6 (emergency)
  lateExpiries: 1, // g2
  leaverBars: 1, // gina's completed case
  approvalMarks: 4, // carol×grant, dave×grant, dave×break-glass review, carol×access review
  breakglassUses: 2,
  reviews: 2,
  disagreements: { "prod-db-readonly": ["hank@example.com", "mallory@example.com"], "prod-admin": ["ivan@example.com"] },
};

export interface Seeded {
  store: Store;
  dataDir: string;
  scim: ScimTestServer;
  deps: GatherEvidenceDeps;
  grants: Record<string, Grant>;
  close(): Promise<void>;
}

export async function seedEvidence(): Promise<Seeded> {
  const dataDir = mkdtempSync(join(tmpdir(), "grantbot-evidence-"));
  const clock = { now: () => NOW };
  const store = openStore(dataDir, clock);
  const scim = await ScimTestServer.start();
  const audit = (at: number, action: string, data: Record<string, unknown> = {}, grantId: string | null = null, actor = "grantbot") => store.audit.append({ at, actor, action, grantId, data });
  const grants: Record<string, Grant> = {};
  let n = 0;

  /** One grant's life, its audit rows in the order grantbot writes them. */
  const life = async (key: string, o: { resource: string; subject: string; reason?: string; requestedAt: number; approver?: string; state: GrantState; durationMs?: number; activateMs?: number; removeMs?: number | null; endReason?: string; endedAt?: number; extendsId?: string; emergency?: boolean; kept?: boolean }) => {
    n += 1;
    const id = `01JZEV${String(n).padStart(20, "0")}`;
    const merged = o.requestedAt + 5 * MIN;
    const approved = ["approved", "active", "expired", "released", "revoked"].includes(o.state);
    const activatedAt = approved ? merged + (o.activateMs ?? 400) : null;
    const durationMs = o.durationMs ?? HOUR;
    const expiresAt = activatedAt === null ? null : activatedAt + durationMs;
    const endedAt = o.endedAt ?? (o.state === "expired" ? expiresAt : null);
    const group = o.resource === "billing-ro" ? { target: "okta", groups: ["billing-ro"] } : { target: "aws", groups: [o.resource] };
    const grant = newGrant({
      id, resource: o.resource, subject: o.subject, requester: o.subject, requesterSlackId: null, durationMs, reason: o.reason ?? `INC-${n} investigate`, requestedAt: o.requestedAt, fileContent: "",
      state: o.state, prNumber: n, prUrl: `https://github.com/acme/grants/pull/${n}`, approvedBy: approved ? [`${o.approver ?? "carol"}-gh`] : [], approvedAt: approved ? merged : null,
      activatedAt, expiresAt, endedAt, endReason: o.endReason ?? (o.state === "expired" ? "expired" : null), access: approved ? group : null, extends: o.extendsId ?? null, updatedAt: endedAt ?? merged,
      ...(o.emergency ? { branch: `breakglass/${id}` } : {}),
    });
    await store.grants.insert(grant);
    grants[key] = grant;
    await audit(o.requestedAt, "grant.requested", { resource: o.resource }, id, o.subject);
    if (o.state === "declined") await audit(merged, "grant.declined", { pr: n }, id, "github:carol-gh");
    if (o.state === "rejected" || approved) await audit(merged, "grant.pr_merged", { pr: n, source: "webhook" }, id, "github:carol-gh");
    if (o.state === "rejected") await audit(merged, "grant.rejected", { pr: n, code: "approval_missing" }, id);
    if (!approved) return grant;
    await audit(merged, "grant.approved", { pr: n, approvers: [{ login: `${o.approver ?? "carol"}-gh`, email: `${o.approver ?? "carol"}@example.com` }] }, id, "github:carol-gh");
    await audit(activatedAt!, "grant.activated", { target: group.target, groups: group.groups, verified: true }, id);
    // As services/breakglass/announce.ts writes it, once access and the review PR both exist.
    if (o.emergency) await audit(activatedAt! + 900, "breakglass.activated", { resource: o.resource, subject: o.subject, reason: grant.reason, activatedAt: iso(activatedAt!), expiresAt: iso(expiresAt!), reviewDeadline: iso(activatedAt! + DAY), pr: n, url: grant.prUrl }, id, o.subject);
    if (endedAt !== null) {
      const reason = (o.endReason ?? "expired").split(":")[0]!;
      await audit(endedAt, `grant.${reason}`, { credentialsRevoked: 1, lateByMs: reason === "expired" ? 3 : undefined }, id);
      if (o.removeMs !== null) await audit(endedAt + (o.removeMs ?? 250), o.kept ? "scim.member_kept" : "scim.member_removed", { target: group.target, group: group.groups[0], subject: o.subject, outcome: o.kept ? "kept" : "removed", verified: true }, id);
    }
    return grant;
  };

  const t0 = NOW - 60 * DAY;
  // Last year: outside the default period.
  await life("old", { resource: "prod-db-readonly", subject: "alice@example.com", requestedAt: NOW - 200 * DAY, state: "expired" });
  await life("g1", { resource: "prod-db-readonly", subject: "alice@example.com", requestedAt: t0, state: "expired", removeMs: 300 });
  await life("g2", { resource: "prod-db-readonly", subject: "bob@example.com", reason: HOSTILE_REASON, requestedAt: t0 + DAY, state: "expired", removeMs: 2_500 });
  // An extension: g5 extends g4; when g4 expires its membership is kept (g5 covers it).
  await life("g3", { resource: "prod-db-readonly", subject: "erin@example.com", requestedAt: t0 + 2 * DAY, state: "expired", removeMs: 150 });
  await life("g4", { resource: "prod-db-readonly", subject: "erin@example.com", requestedAt: NOW - 3 * HOUR, state: "expired", kept: true, removeMs: 120 });
  await life("g5", { resource: "prod-db-readonly", subject: "erin@example.com", requestedAt: NOW - 2 * HOUR - 30 * MIN, state: "active", extendsId: grants.g4!.id, durationMs: 4 * HOUR });
  // Break-glass: frank's was reviewed in time, bob's never.
  await life("g6", { resource: "prod-admin", subject: "frank@example.com", requestedAt: t0 + 10 * DAY, state: "expired", emergency: true, approver: "dave", removeMs: 200 });
  await life("g7", { resource: "prod-admin", subject: "bob@example.com", requestedAt: NOW - 3 * DAY, state: "revoked", endReason: "revoked", endedAt: NOW - 3 * DAY + 30 * MIN, emergency: true, approver: "dave" });
  // A leaver's grant, revoked by offboarding.
  await life("g8", { resource: "prod-db-readonly", subject: "gina@example.com", requestedAt: t0 + 20 * DAY, state: "revoked", endReason: "leaver", endedAt: t0 + 20 * DAY + 30 * MIN, durationMs: 4 * HOUR });
  await life("g9", { resource: "prod-admin", subject: "alice@example.com", requestedAt: t0 + 30 * DAY, state: "rejected" });
  await life("g10", { resource: "billing-ro", subject: "bob@example.com", requestedAt: t0 + 31 * DAY, state: "declined" });
  // Ivan's active admin grant whose membership is missing from the target (drift, enforce: true).
  await life("g11", { resource: "prod-admin", subject: "ivan@example.com", requestedAt: NOW - 30 * MIN, state: "active" });

  // Break-glass reviews.
  await audit(grants.g6!.activatedAt! + 3 * HOUR, "breakglass.reviewed", { approvers: [{ login: "dave-gh", email: "dave@example.com" }], withinDeadline: true, pr: grants.g6!.prNumber, mergedAt: iso(grants.g6!.activatedAt! + 3 * HOUR) }, grants.g6!.id, "github:dave-gh");
  await audit(grants.g7!.activatedAt! + DAY + MIN, "breakglass.review_overdue", { deadline: iso(grants.g7!.activatedAt! + DAY), escalation: 1, status: "pending", pr: grants.g7!.prNumber }, grants.g7!.id);

  // Leavers: gina's case completed in 42 s; hank's still open (and hank is still in a group).
  const ginaAt = t0 + 20 * DAY + 30 * MIN;
  await store.offboarding.insert({ id: "CASE-GINA", email: "gina@example.com", source: "poll", cause: "deactivated", startedAt: ginaAt, revoked: [grants.g8!.id], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: ginaAt + 42_000 });
  await audit(ginaAt + 42_000, "offboarding.completed", { caseId: "CASE-GINA", email: "gina@example.com", tookMs: 42_000 });
  await store.offboarding.insert({ id: "CASE-HANK", email: "hank@example.com", source: "push", cause: "pushed", startedAt: NOW - 10 * MIN, revoked: [], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: null });

  // Access reviews: prod-db-readonly certified (alice removed), prod-admin overdue.
  // As services/reviews/* write them.
  await audit(t0 + 40 * DAY, "review.opened", { resource: "prod-db-readonly", members: ["dana@example.com", "alice@example.com"], pr: 90, reviewId: "REV-1" });
  await audit(t0 + 41 * DAY, "review.certified", { resource: "prod-db-readonly", kept: ["dana@example.com"], removed: ["alice@example.com"], approvers: ["carol-gh"], pr: 90, reviewId: "REV-1" }, null, "github:carol-gh");
  await audit(t0 + 41 * DAY + MIN, "review.member_removed", { resource: "prod-db-readonly", email: "alice@example.com", cause: "review", verified: true, target: "aws", groups: ["prod-db-readonly"], reviewId: "REV-1" });
  await audit(t0 + 45 * DAY, "review.opened", { resource: "prod-admin", members: ["ivan@example.com"], pr: 91, reviewId: "REV-2" });
  await audit(t0 + 59 * DAY, "review.overdue", { resource: "prod-admin", members: ["ivan@example.com"], on_missed: "revoke", deadlines: ["2026-06-29"] });

  // Reconciliation: one run found drift and repaired it.
  await audit(t0 + 50 * DAY, "reconcile.run", { runId: "R1", groups: 3, drift: true, errors: 0, repairsQueued: 1, fix: false });
  await audit(t0 + 50 * DAY + 2_000, "reconcile.member_removed", { target: "aws", group: "prod-admin", subject: "zed@example.com", outcome: "removed", verified: true, runId: "R1" });
  await audit(t0 + 51 * DAY, "reconcile.run", { runId: "R2", groups: 3, drift: false, errors: 0, repairsQueued: 0, fix: false });

  // The directory as grantbot last saw it.
  const person = (email: string, active: boolean, displayName: string | null, removedAt: number | null = null) =>
    store.people.put({ email, directoryId: `d-${email}`, active, managerId: null, managerEmail: null, displayName, groups: null, attributes: {}, seenAt: NOW - HOUR, removedAt });
  for (const [name, display] of [["alice", "Alice Archer"], ["bob", "Bob Baker"], ["carol", "Carol Chen"], ["dave", "Dave Diaz"], ["dana", "Dana Dube"], ["erin", "Erin Eze"], ["ivan", "Ivan Ito"], ["mallory", "Mallory M."]] as const) await person(`${name}@example.com`, true, display);
  await person("gina@example.com", false, "Gina Gray");
  await person("hank@example.com", false, "Hank Hill");

  // The live target: dana (standing), erin (g5), hank (leaver) and mallory (no grant) in prod-db-readonly; prod-admin empty.
  for (const u of ["dana", "erin", "hank", "mallory"]) scim.createUser({ userName: `${u}@example.com`, groups: ["prod-db-readonly"] });
  scim.createUser({ userName: "ivan@example.com" });
  scim.createGroup("prod-admin");

  const targets = createGroupDirectories([
    { name: "aws", url: scim.url, token: scim.token, profile: "generic" },
    { name: "okta", url: "http://127.0.0.1:9/scim/v2", token: "unused-token-for-okta", profile: "generic", timeoutMs: 2_000 },
  ]);
  const deps: GatherEvidenceDeps = { audit: store.audit, clock, grants: store.grants, jobs: store.jobs, offboarding: store.offboarding, people: store.people, policy: new StaticPolicyProvider(parsePolicy(CATALOG, PEOPLE)), reviews: store.reviews, targets };
  return {
    store, dataDir, scim, deps, grants,
    close: async () => {
      await store.close();
      await scim.close();
    },
  };
}
