import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { Stack } from "./stack.ts";
import { activeGrant, ephemeralReplies, fileRequest, waitForDm, type FiledRequest } from "./flows.ts";

describe("/access list and /access release", () => {
  let stack: Stack;
  let active: Grant;
  let pending: FiledRequest;
  beforeAll(async () => {
    stack = await Stack.start();
    const alice = stack.person("alice");
    active = await activeGrant(stack, alice.slack, "prod-db-readonly 1h INC-70 long investigation");
    pending = await fileRequest(stack, alice.slack, "prod-db-readonly 30m INC-71 second look");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lists my active grant with its time left and my pending request with its PR", async () => {
    const { texts } = await ephemeralReplies(stack, stack.person("alice").slack, "list");
    const text = texts.join("\n");
    expect(text).toMatch(new RegExp(`\\*prod-db-readonly\\* \`${active.id}\` — \\d+m( \\d+s)? left`));
    expect(text).toContain(`\`${pending.grantId}\` — waiting for review (<https://github.test/acme/grants/pull/${pending.pr}|PR #${pending.pr}>)`);
  });

  it("tells someone with no grants that they have none", async () => {
    const { texts } = await ephemeralReplies(stack, stack.person("erin").slack, "list");
    expect(texts.join("\n")).toContain("You have no live grants or pending requests.");
  });

  it("does not let another user release my grant", async () => {
    const { texts } = await ephemeralReplies(stack, stack.person("dave").slack, `release ${active.id}`);
    expect(texts.join("\n")).toContain(`grant ${active.id} is not yours`);
    await stack.settle();
    expect((await stack.grant(active.id)).state).toBe("active");
    expect(stack.members("aws", "prod-db-readonly")).toContain("alice@example.com");
  });

  it("refuses to release a grant id that does not exist", async () => {
    const { texts } = await ephemeralReplies(stack, stack.person("alice").slack, "release 01JD2S3K7Q8R9T0V1W2X3Y4Z5A");
    expect(texts.join("\n")).toContain("there is no grant 01JD2S3K7Q8R9T0V1W2X3Y4Z5A");
  });

  it("releases my grant at once: membership removed, credential inactive, DM edited", async () => {
    const alice = stack.person("alice");
    const token = await stack.waitFor(() => stack.credentialToken(active.id), 5000, "credential DM");
    const { texts } = await ephemeralReplies(stack, alice.slack, `release ${active.id.toLowerCase()}`);
    expect(texts.join("\n")).toContain(`Releasing \`${active.id}\``);
    expect((await stack.grant(active.id)).state).toBe("released");
    expect((await stack.introspect(token)).body).toEqual({ active: false });
    await stack.settle();
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    expect(await stack.credentialToken(active.id)).toBeNull();
    await waitForDm(stack, alice.slack, /access to \*prod-db-readonly\* for 1h was released/);
    expect(stack.github.comments(active.prNumber!).join("\n")).toContain("Released early by the subject");
  });

  it("no longer lists the released grant, only the pending request", async () => {
    const { texts } = await ephemeralReplies(stack, stack.person("alice").slack, "list");
    const text = texts.join("\n");
    expect(text).not.toContain(active.id);
    expect(text).toContain(pending.grantId);
    expect(stack.github.validationErrors()).toEqual([]);
  });
});
