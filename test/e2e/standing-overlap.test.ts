/**
 * A standing member who also takes a temporary grant of the same resource keeps the standing
 * access when the grant ends: the grant's removal is "kept" for the standing membership, read from
 * the catalog, while someone without standing access loses the membership as usual.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeGrant } from "./flows.ts";
import { Stack } from "./stack.ts";

const CATALOG = readFileSync(new URL("../../grants/catalog.yaml", import.meta.url), "utf8").replace(
  "    enforce: false\n    standing_members: []",
  "    enforce: false\n    standing_members: [alice@example.com]",
);

describe("a grant of a standing member", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ catalogText: CATALOG });
    stack.scim.get("aws")!.addMemberDirectly("prod-db-readonly", "alice@example.com");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps the standing membership when the grant ends, and removes a non-standing member's", async () => {
    expect(CATALOG).toContain("standing_members: [alice@example.com]");
    const alice = stack.person("alice");
    const dave = stack.person("dave");
    const hers = await activeGrant(stack, alice.slack, "prod-db-readonly 2s INC-70 standing too");
    const his = await activeGrant(stack, dave.slack, "prod-db-readonly 2s INC-71 not standing");
    await stack.waitFor(async () => ["expired"].includes((await stack.grant(hers.id)).state) && ["expired"].includes((await stack.grant(his.id)).state), 10_000, "both grants expired");
    const audit = async (id: string) => (await stack.grantbot.deps.audit.forGrant(id)).map((r) => `${r.action}:${String(r.data?.coveredBy ?? r.data?.outcome ?? "")}`);
    await stack.waitFor(async () => (await audit(hers.id)).includes("scim.member_kept:standing") && (await audit(his.id)).some((a) => a.startsWith("scim.member_removed")), 10_000, "both removals decided");
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(dave.email);
  });

  it("removes the membership of a standing member taken out of the catalog since grantbot last read it", async () => {
    // grantbot still holds the catalog that lists alice; the base branch no longer does. A removal
    // never keeps a membership on that old copy: it asks for the current catalog first.
    stack.github.seed({ "grants/catalog.yaml": CATALOG.replace("standing_members: [alice@example.com]", "standing_members: []") }, "alice is no longer a standing member");
    const alice = stack.person("alice");
    const grant = await activeGrant(stack, alice.slack, "prod-db-readonly 2s INC-72 after standing access ended");
    await stack.waitForGrant(grant.id, ["expired"], 10_000);
    await stack.waitFor(async () => (await stack.grantbot.deps.audit.forGrant(grant.id)).some((r) => r.action === "scim.member_removed"), 10_000, "the removal recorded");
    expect((await stack.grantbot.deps.audit.forGrant(grant.id)).some((r) => r.action === "scim.member_kept")).toBe(false);
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
  });
});
