/**
 * A standing member who leaves the company: removed at once (verified) from every resource that
 * lists them, reconcile does not add them back while their catalog line is still there, and a PR
 * deletes that line. Pushed by the HR system (signed directory hook) and polled from the directory.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pushDirectoryEvent, startDirectory, type TestDirectory } from "./directory-fixture.ts";
import type { Stack } from "./stack.ts";
import { audits, catalogAt, inDays, RESOURCE, reviewStack, waitForAudit } from "./review-fixture.ts";

let stack: Stack | undefined;
let directory: TestDirectory | undefined;
afterEach(async () => {
  await stack?.stop();
  await directory?.server.close();
  stack = undefined;
  directory = undefined;
});

async function leaverRemoved(s: Stack, email: string): Promise<void> {
  expect(await waitForAudit(s, "review.member_removed", (d) => d.email === email)).toMatchObject({ resource: RESOURCE, email, cause: "leaver", verified: true });
  expect(s.members("aws", "prod-db-readonly")).not.toContain(email);
  const removal = await s.waitFor(async () => (await s.grantbot.deps.reviews.listByState(["open"])).find((r) => r.kind === "removal" && r.cause === "leaver"), 10_000, "removal PR");
  expect(removal.branch).toBe(`review/${RESOURCE}/${inDays(0)}-leaver`);
  const members = (parse(catalogAt(s, removal.branch)) as { resources: Record<string, { standing_members: unknown[] }> }).resources[RESOURCE]!.standing_members;
  expect(members).toEqual([{ email: "alice@example.com", review_after: inDays(200) }]);
  expect(s.github.pull(removal.prNumber!).title).toBe(`Remove ${email} from ${RESOURCE} (left the company)`);
  // Reconcile (enforce: true) does not add the leaver back while the catalog still lists them.
  await s.grantbot.runTask("reconcile");
  await s.settle();
  expect(s.members("aws", "prod-db-readonly")).toEqual(["alice@example.com"]);
}

describe("a standing member who leaves", () => {
  it("pushed by the HR system: removed at once and verified, and a PR removes their line", async () => {
    directory = await startDirectory();
    const s = (stack = await reviewStack({ members: { "bob@example.com": inDays(100), "alice@example.com": inDays(200) }, enforce: true }, directory.stackOptions()));
    await s.grantbot.runTask("directory-poll");
    const pushed = await pushDirectoryEvent(s, { type: "leaver", email: "bob@example.com", at: new Date().toISOString() });
    expect(pushed.status).toBe(202);
    await leaverRemoved(s, "bob@example.com");
    expect(await waitForAudit(s, "review.leaver")).toMatchObject({ email: "bob@example.com", resources: [RESOURCE] });
  });

  it("found by the directory poll: the same", async () => {
    directory = await startDirectory();
    const s = (stack = await reviewStack({ members: { "dave@example.com": inDays(100), "alice@example.com": inDays(200) }, enforce: true }, directory.stackOptions()));
    await s.grantbot.runTask("directory-poll");
    directory.server.setActive("dave@example.com", false);
    await s.grantbot.runTask("directory-poll");
    await leaverRemoved(s, "dave@example.com");
    expect(audits(s, "review.member_removed")).toHaveLength(1);
  });
});
