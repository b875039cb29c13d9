/**
 * The directory poll against a real SCIM server (scimmy), both paging styles, with the SQLite
 * snapshot: each change is seen once, deletions keep the last record, managers are resolved
 * across pages, and a listing that lost most of the directory is not believed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DirectoryPoller, POLL_FAILURES_BEFORE_ALERT, syncDirectory } from "../../src/services/leavers/directory-sync.ts";
import { offboardPerson } from "../../src/services/leavers/offboard-person.ts";
import type { ServerProfile } from "../fakes/scim-server/index.ts";
import { setUpDirectorySync } from "./directory-sync-fixture.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const setUp = (profile: ServerProfile = "generic", pageSize = 3) => setUpDirectorySync(cleanups, profile, pageSize);

describe.each(["generic", "aws-identity-center"] as const)("directory poll, %s profile", (profile) => {
  it("reports a deactivated person once however often the directory is polled, with the manager found on another page", async () => {
    const { server, deps, source, store } = await setUp(profile);
    const boss = server.createUser({ userName: "boss@example.com", displayName: "Boss" });
    for (let i = 0; i < 7; i++) server.createUser({ userName: `p${i}@example.com`, manager: boss.id, groups: ["engineering"] });
    const first = await syncDirectory(deps, source);
    expect(first).toMatchObject({ people: 8, leavers: [], movers: [] });
    expect(first.pages).toBeGreaterThan(1);
    expect(await store.people.get("p6@example.com")).toMatchObject({ active: true, managerEmail: "boss@example.com", groups: ["engineering"] });

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
    expect(await store.people.get("gone@example.com")).toMatchObject({ managerEmail: "boss@example.com", displayName: "Gone", removedAt: expect.any(Number) });
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
    expect((await store.people.get("u0@example.com"))?.removedAt).toBeNull();
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
    await store.offboarding.insert({ id: "C1", email: "leaver@example.com", source: "cli", cause: "deactivated", startedAt: Date.now(), revoked: [], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: null });
    await store.jobs.enqueue({ kind: "offboarding_report", payload: { caseId: "C1", check: 0 }, dedupeKey: "offboarding_report:C1:0" });
    runner.wake();
    await runner.drain();
    expect(notifier.sent).toEqual([]);
    const ops = notifier.opsNotes.find((n) => n.kind === "offboarding");
    expect(ops).toMatchObject({ phase: "final", report: { managerProblem: "their manager boss@example.com has no Slack user" } });
    expect(await offboardPerson(deps, { email: "leaver@example.com", cause: "deactivated", source: "cli" })).toMatchObject({ caseId: null });
  });
});
