import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.ts";
import { activate, activeGrant, ephemeralReplies, waitForDm } from "./flows.ts";
import { waitForCard } from "./slack-flows.ts";

async function extend(stack: Stack, slackId: string, grantId: string, duration: string) {
  const { texts } = await ephemeralReplies(stack, slackId, `extend ${grantId} ${duration}`);
  const id = /Extension `([0-9A-Z]{26})` filed/.exec(texts.join("\n"))?.[1];
  if (!id) throw new Error(`no extension filed: ${texts.join(" | ")}`);
  return { grantId: id, pr: await stack.waitForPr(id) };
}

describe("extensions", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("keep the membership continuously when merged before the grant expires: no remove, no re-add", async () => {
    const alice = stack.person("alice");
    const scim = stack.scim.get("aws")!;
    const original = await activeGrant(stack, alice.slack, "prod-db-readonly 4s INC-700 migration running long");
    const ext = await extend(stack, alice.slack, original.id, "1h");
    const patches = scim.patchCount("prod-db-readonly");

    // Watch the group the whole time, from before the extension is merged until after the original expired.
    let gap = false;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (!stack.members("aws", "prod-db-readonly").includes(alice.email)) gap = true;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const extension = await activate(stack, ext);
    await stack.waitForGrant(original.id, ["expired"], 6000);
    await stack.settle();
    watching = false;
    await watcher;

    expect(gap).toBe(false);
    // No PATCH at all on the group: neither a removal at the original's expiry nor a re-add at activation.
    expect(scim.patchCount("prod-db-readonly")).toBe(patches);
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    expect((await stack.grant(extension.id)).state).toBe("active");
    const kept = (await stack.grantbot.deps.audit.forGrant(original.id)).find((r) => r.action === "scim.member_kept");
    expect(kept?.data).toMatchObject({ group: "prod-db-readonly", coveredBy: extension.id });

    // The original's DM and card say the access continues, not that it was removed.
    const dm = await waitForDm(stack, alice.slack, new RegExp(`Grant \`${original.id}\`.*expired`));
    expect(dm).toContain(`Your access continues without a gap under \`${extension.id}\``);
    expect(await waitForCard(stack, original.id, /expired/)).toContain(`access continues under extension \`${extension.id}\``);
  });

  it("end together with the grant they extend when either is released", async () => {
    const dave = stack.person("dave");
    const original = await activeGrant(stack, dave.slack, "prod-db-readonly 1h INC-701 long job");
    const ext = await extend(stack, dave.slack, original.id, "2h");
    const extension = await activate(stack, ext);
    const { texts } = await ephemeralReplies(stack, dave.slack, `release ${original.id}`);
    expect(texts.join("\n")).toContain(`Linked grant \`${extension.id}\` ends too`);
    await stack.waitForGrant(original.id, ["released"]);
    await stack.waitForGrant(extension.id, ["released"]);
    await stack.settle();
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(dave.email);
  });
});
