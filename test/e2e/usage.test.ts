/**
 * Use of grants: every introspection of an active credential is a use of its grant (first use,
 * last use, count), recorded in memory and flushed to SQLite; shown in `/access list`, the Home
 * tab, the reviewers' hint on a new grant PR, and a standing member's evidence in a review PR.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { activeGrant, ephemeralReplies, fileRequest } from "./flows.ts";
import { openHomeTab, waitForHome } from "./slack-flows.ts";
import type { Stack } from "./stack.ts";
import { inDays, RESOURCE, reviewCatalog, reviewStack, waitForOpenReview } from "./review-fixture.ts";

describe("use of grants", () => {
  let stack: Stack;
  let used: Grant;
  let token: string;
  beforeAll(async () => {
    stack = await reviewStack({ members: { "bob@example.com": inDays(60) } });
    used = await activeGrant(stack, stack.person("alice").slack, `${RESOURCE} 1h INC-1 replica lag`);
    token = await stack.waitFor(() => stack.credentialToken(used.id), 5000, "credential");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("records each active introspection as a use (first, last, count) and writes them in one flush", async () => {
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await stack.introspect(token)).body.active).toBe(true);
    const inMemory = (await stack.grantbot.deps.usage.forGrants([used.id])).get(used.id);
    expect(inMemory).toMatchObject({ grantId: used.id, uses: 3 });
    expect(inMemory!.firstUse).toBeGreaterThanOrEqual(before);
    expect(inMemory!.lastUse).toBeGreaterThanOrEqual(inMemory!.firstUse);
    await stack.grantbot.runTask("usage-flush");
    const row = stack.grantbot.store.sqlite!.db.prepare("SELECT uses, first_use, last_use FROM grant_usage WHERE grant_id = ?").get(used.id);
    expect(row).toEqual({ uses: 3, first_use: inMemory!.firstUse, last_use: inMemory!.lastUse });
    // An inactive answer is not a use.
    expect((await stack.introspect("not-a-token")).body).toEqual({ active: false });
    expect((await stack.grantbot.deps.usage.forGrants([used.id])).get(used.id)?.uses).toBe(3);
  });

  it("shows the use in /access list and on the Home tab", async () => {
    const alice = stack.person("alice");
    const list = await ephemeralReplies(stack, alice.slack, "list");
    expect(list.texts.join("\n")).toMatch(/Used 3 times · last .+ ago/);
    expect((await openHomeTab(stack, alice.slack)).status).toBe(200);
    await waitForHome(stack, alice.slack, /Used 3 times · last/);
  });

  it("tells the reviewers of a new grant PR how the earlier grants were used", async () => {
    const alice = stack.person("alice");
    await ephemeralReplies(stack, alice.slack, `release ${used.id}`);
    await stack.waitForGrant(used.id, ["released"]);
    const unused = await activeGrant(stack, alice.slack, `${RESOURCE} 1h INC-2 never touched it`);
    await ephemeralReplies(stack, alice.slack, `release ${unused.id}`);
    await stack.waitForGrant(unused.id, ["released"]);
    const third = await fileRequest(stack, alice.slack, `${RESOURCE} 1h INC-3 again`);
    expect(stack.github.pull(third.pr).body).toContain("| **Recent use** | alice@example.com has had 2 grants of prod-db-readonly in 30 days, 1 of them never used; 3 credential checks in all |");
  });

  it("shows a standing member's grants and their use in the review PR", async () => {
    const bob = stack.person("bob");
    const grant = await activeGrant(stack, bob.slack, `${RESOURCE} 1h INC-4 standing member, JIT too`);
    const bobToken = await stack.waitFor(() => stack.credentialToken(grant.id), 5000, "credential");
    for (let i = 0; i < 2; i++) await stack.introspect(bobToken);
    // The catalog on the base branch makes bob due.
    stack.github.seed({ "grants/catalog.yaml": reviewCatalog({ members: { "bob@example.com": inDays(5) } }) });
    await stack.grantbot.runTask("access-reviews");
    const review = await waitForOpenReview(stack);
    expect(stack.github.pull(review.prNumber).body).toMatch(/\*\*Grants of this resource:\*\* 1 in the last 90 days: 1 used \(2 credential checks, last \d{4}-\d\d-\d\d \d\d:\d\d UTC\), 0 never used/);
  });
});
