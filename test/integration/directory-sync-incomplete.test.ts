/**
 * Never infer leavers from an incomplete listing: when the directory's listing cannot be proven
 * complete (paging that stops early, an error mid-way), the poll fails — no snapshot change, no
 * leaver, not even one seen on a page that did arrive — and reports the error. The next honest
 * poll then sees every change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DirectoryPoller } from "../../src/services/leavers/directory-sync.ts";
import type { Log } from "../../src/services/ports/index.ts";
import type { ScimLies, ScimTestServer, ServerProfile } from "../fakes/scim-server/index.ts";
import { setUpDirectorySync } from "./directory-sync-fixture.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function recordingLog(lines: { level: string; msg: string; obj: Record<string, unknown> }[]): Log {
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, msg, obj });
  const log: Log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => log };
  return log;
}

type Lie = { name: string; profile: ServerProfile; arm: (server: ScimTestServer) => void };

const stopsAfter = (items: number, how: NonNullable<ScimLies["listStopsAfter"]>["how"]) => (server: ScimTestServer) => {
  server.lies = { listStopsAfter: { items, how } };
};

const lies: Lie[] = [
  { name: "cursor paging that stops (no nextCursor) while totalResults says more", profile: "aws-identity-center", arm: stopsAfter(3, "no-next-cursor") },
  { name: "an empty page before totalResults (index paging)", profile: "generic", arm: stopsAfter(6, "empty-page") },
  { name: "a page shorter than its itemsPerPage before totalResults (index paging)", profile: "generic", arm: stopsAfter(4, "short-page") },
  {
    name: "an error mid-listing",
    profile: "generic",
    arm: (server) => {
      let lists = 0;
      server.failWith({ status: 503, times: 1, match: (m, p) => m === "GET" && p === "/Users" && ++lists === 2 });
    },
  },
];

describe.each(lies)("directory poll, $name", ({ profile, arm }) => {
  it("fails the poll, marks nobody a leaver and changes nothing; the next honest poll sees the changes", async () => {
    const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
    const { server, deps, source, store } = await setUpDirectorySync(cleanups, profile, 3, recordingLog(lines));
    for (let i = 0; i < 8; i++) server.createUser({ userName: `p${i}@example.com` });
    const poller = new DirectoryPoller(deps, source);
    expect((await poller.poll()).people).toBe(8);

    // p0 is on the first page, which arrives; the listing then fails to prove itself complete.
    server.setActive("p0@example.com", false);
    arm(server);
    await expect(poller.poll()).rejects.toMatchObject({ code: "target_unavailable", retryable: true });

    expect(await store.offboarding.recent(10)).toEqual([]);
    expect([...store.audit.all()].filter((r) => r.action === "directory.leaver")).toEqual([]);
    for (let i = 0; i < 8; i++) expect(await store.people.get(`p${i}@example.com`)).toMatchObject({ active: true, removedAt: null });
    expect(lines).toContainEqual(expect.objectContaining({ level: "warn", msg: "directory poll failed", obj: expect.objectContaining({ directory: "directory", failures: 1 }) }));

    server.lies = {};
    server.clearFaults();
    const honest = await poller.poll();
    expect(honest.leavers).toEqual([{ email: "p0@example.com", cause: "deactivated" }]);
    expect(honest.people).toBe(8);
  });
});

describe("directory poll, a listing that looks complete but skipped someone", () => {
  it("does not treat as deleted a person the directory still returns by id, and does once it answers 404", async () => {
    const { server, deps, source, store } = await setUpDirectorySync(cleanups);
    for (let i = 0; i < 8; i++) server.createUser({ userName: `s${i}@example.com` });
    const poller = new DirectoryPoller(deps, source);
    await poller.poll();

    server.lies = { omitFromLists: ["s5@example.com"] };
    const skipped = await poller.poll();
    expect(skipped).toMatchObject({ people: 7, leavers: [] });
    expect(await store.people.get("s5@example.com")).toMatchObject({ active: true, removedAt: null });
    expect(await store.offboarding.recent(10)).toEqual([]);

    server.deleteUser("s5@example.com");
    expect((await poller.poll()).leavers).toEqual([{ email: "s5@example.com", cause: "deleted" }]);
  });
});
