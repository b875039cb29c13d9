/**
 * The directory poll against a real SCIM server (scimmy), both paging styles, with the SQLite
 * snapshot: each change is seen once, deletions keep the last record, managers are resolved
 * across pages, and a listing that lost most of the directory is not believed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ScimPeopleDirectory } from "../../src/adapters/directory/scim-people-directory.ts";
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import { createGroupDirectories } from "../../src/adapters/scim/group-directories.ts";
import type { ServiceDeps } from "../../src/services/deps.ts";
import { DirectoryPoller, POLL_FAILURES_BEFORE_ALERT, syncDirectory } from "../../src/services/directory-sync.ts";
import { JobRunner } from "../../src/services/job-runner.ts";
import { jobHandlers } from "../../src/services/handlers.ts";
import { offboardPerson } from "../../src/services/offboard-person.ts";
import { parsePolicy, StaticPolicyProvider } from "../../src/services/policy-provider.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { systemClock, systemTimers } from "../../src/shared/clock.ts";
import { RecordingNotifier } from "../fakes/recording-notifier.ts";
import { ScimTestServer, type ServerProfile } from "../fakes/scim-server/index.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let seq = 0;
async function setUp(profile: ServerProfile = "generic", pageSize = 3) {
  const server = await ScimTestServer.start({ profile, pageSize });
  const dir = mkdtempSync(join(tmpdir(), "grantbot-dirsync-"));
  const store: Store = openStore(dir, systemClock);
  const notifier = new RecordingNotifier();
  const policy = new StaticPolicyProvider(parsePolicy(readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8"), readFileSync(join(ROOT, "grants/people.yaml"), "utf8")));
  let runner: JobRunner | null = null;
  const deps = {
    clock: systemClock, tx: store.transactor, grants: store.grants, jobs: store.jobs, audit: store.audit, credentials: store.credentials, deliveries: store.deliveries,
    policy, targets: createGroupDirectories([]), changes: {} as ServiceDeps["changes"], notifier, signer: {} as ServiceDeps["signer"],
    log: createLogger({ level: "silent" }), metrics: { requestFiled() {}, activated() {}, ended() {}, expiryLag() {}, jobFailed() {} },
    settings: { repository: "acme/grants", baseBranch: "main", publicUrl: "http://grantbot.test", retry: { baseMs: 50, maxMs: 200 }, offboardingPendingAfterMs: 60_000 },
    ids: { next: () => `01TESTCASE${String(++seq).padStart(16, "0")}` },
    wake: () => runner?.wake(),
    people: store.people,
    offboarding: store.offboarding,
  } satisfies ServiceDeps;
  runner = new JobRunner({ jobs: store.jobs, clock: systemClock, timers: systemTimers, log: deps.log, metrics: deps.metrics }, jobHandlers(deps), { concurrency: 4, leaseMs: 60_000, retry: deps.settings.retry });
  runner.start();
  cleanups.push(async () => {
    await runner?.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  });
  const source = new ScimPeopleDirectory(new ScimGroupDirectory({ name: "directory", baseUrl: server.url, token: server.token, profile }));
  return { server, store, deps, notifier, runner, source };
}

describe.each(["generic", "aws-identity-center"] as const)("directory poll, %s profile", (profile) => {
  it("reports a deactivated person once however often the directory is polled, with the manager found on another page", async () => {
    const { server, deps, source, store } = await setUp(profile);
    const boss = server.createUser({ userName: "boss@example.com", displayName: "Boss" });
    for (let i = 0; i < 7; i++) server.createUser({ userName: `p${i}@example.com`, manager: boss.id, groups: ["engineering"] });
    const first = await syncDirectory(deps, source);
    expect(first).toMatchObject({ people: 8, leavers: [], movers: [] });
    expect(first.pages).toBeGreaterThan(1);
    expect(store.people.get("p6@example.com")).toMatchObject({ active: true, managerEmail: "boss@example.com", groups: ["engineering"] });

    server.setActive("p3@example.com", false);
    expect((await syncDirectory(deps, source)).leavers).toEqual([{ email: "p3@example.com", cause: "deactivated" }]);
    expect(await syncDirectory(deps, source)).toMatchObject({ leavers: [], movers: [], changes: 0 });
    expect([...store.audit.all()].filter((r) => r.action === "directory.leaver").map((r) => r.data?.email)).toEqual(["p3@example.com"]);
  });
});

describe("directory poll", () => {
  it("treats a person missing from the listing as deleted and keeps their last record, manager included", async () => {
    const { server, deps, source, store } = await setUp();
    const boss = server.createUser({ userName: "boss@example.com" });
    server.createUser({ userName: "gone@example.com", manager: boss.id, displayName: "Gone" });
    server.createUser({ userName: "stays@example.com" });
    await syncDirectory(deps, source);
    server.deleteUser("gone@example.com");
    const result = await syncDirectory(deps, source);
    expect(result.leavers).toEqual([{ email: "gone@example.com", cause: "deleted" }]);
    expect(store.people.get("gone@example.com")).toMatchObject({ managerEmail: "boss@example.com", displayName: "Gone", removedAt: expect.any(Number) });
    expect((await syncDirectory(deps, source)).leavers).toEqual([]);
  });

  it("reports a change of groups as a mover", async () => {
    const { server, deps, source } = await setUp();
    server.createUser({ userName: "mover@example.com", groups: ["engineering"] });
    await syncDirectory(deps, source);
    server.removeMemberDirectly("engineering", "mover@example.com");
    server.addMemberDirectly(server.createGroup("finance").displayName, "mover@example.com");
    expect((await syncDirectory(deps, source)).movers).toEqual(["mover@example.com"]);
  });

  it("does not believe a listing in which most of the directory vanished, and tells ops", async () => {
    const { server, deps, source, store, runner, notifier } = await setUp();
    for (let i = 0; i < 8; i++) server.createUser({ userName: `u${i}@example.com` });
    await syncDirectory(deps, source);
    for (let i = 0; i < 7; i++) server.deleteUser(`u${i}@example.com`);
    const result = await syncDirectory(deps, source);
    expect(result.leavers).toEqual([]);
    expect(result.deletionsSkipped).toMatch(/7 of 8 people vanished/);
    expect(store.people.get("u0@example.com")?.removedAt).toBeNull();
    await runner.drain();
    expect(notifier.opsNotes).toEqual([expect.objectContaining({ kind: "ops_alert", title: "Directory poll not believed" })]);
  });

  it("alerts ops once when the directory cannot be polled several times in a row", async () => {
    const { server, deps, source, runner, notifier } = await setUp();
    server.createUser({ userName: "a@example.com" });
    server.failWith({ status: 503, times: 100 });
    const poller = new DirectoryPoller(deps, source);
    for (let i = 0; i < POLL_FAILURES_BEFORE_ALERT + 2; i++) await expect(poller.poll()).rejects.toThrow();
    await runner.drain();
    expect(notifier.opsNotes.map((n) => (n.kind === "ops_alert" ? n.title : n.kind))).toEqual(["Directory cannot be polled"]);
    server.clearFaults();
    expect((await poller.poll()).people).toBe(1);
  });

  it("stays silent about a person first seen already inactive with nothing to revoke", async () => {
    const { server, deps, source, store } = await setUp();
    server.createUser({ userName: "old@example.com", active: false });
    expect((await syncDirectory(deps, source)).leavers).toEqual([{ email: "old@example.com", cause: "deactivated" }]);
    expect([...store.audit.all()].filter((r) => r.action.startsWith("directory.") || r.action.startsWith("offboarding."))).toEqual([]);
  });

  it("tells ops when the manager has no Slack user, and confirms nothing to nobody else", async () => {
    const { server, deps, source, runner, notifier, store } = await setUp();
    server.createUser({ userName: "boss@example.com" });
    server.createUser({ userName: "leaver@example.com", manager: "boss@example.com" });
    await syncDirectory(deps, source);
    notifier.unreachable.add("boss@example.com");
    store.offboarding.insert({ id: "C1", email: "leaver@example.com", source: "cli", cause: "deactivated", startedAt: Date.now(), revoked: [], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: null });
    store.jobs.enqueue({ kind: "offboarding_report", payload: { caseId: "C1", check: 0 }, dedupeKey: "offboarding_report:C1:0" });
    runner.wake();
    await runner.drain();
    expect(notifier.sent).toEqual([]);
    const ops = notifier.opsNotes.find((n) => n.kind === "offboarding");
    expect(ops).toMatchObject({ phase: "final", report: { managerProblem: "their manager boss@example.com has no Slack user" } });
    expect(offboardPerson(deps, { email: "leaver@example.com", cause: "deactivated", source: "cli" })).toMatchObject({ caseId: null });
  });
});
