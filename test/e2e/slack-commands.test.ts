import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { USAGE_LINES } from "../../src/domain/slash-command.ts";
import { Stack } from "./stack.ts";
import { activeGrant, ephemeralReplies, fileRequest, type FiledRequest } from "./flows.ts";
import { buttonsIn } from "./slack-flows.ts";

const UNKNOWN_ID = "01JD2S3K7Q8R9T0V1W2X3Y4Z5Z";

describe("/access subcommands through the real Bolt app", () => {
  let stack: Stack;
  let mine: Grant;
  let pending: FiledRequest;
  beforeAll(async () => {
    stack = await Stack.start();
    mine = await activeGrant(stack, stack.person("alice").slack, "prod-db-readonly 1h INC-400 replica lag");
    pending = await fileRequest(stack, stack.person("alice").slack, "prod-db-readonly 30m INC-401 a second look");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const say = async (who: string, text: string, count = 1) => (await ephemeralReplies(stack, stack.person(who).slack, text, count)).texts.join("\n");

  it("answers help with every form of the command", async () => {
    const text = await say("alice", "help");
    for (const line of Object.values(USAGE_LINES)) expect(text).toContain(line);
    expect(text).toContain("Home");
  });

  it.each([
    ["a misspelt subcommand", "lsit", "`lsit` is not a subcommand; did you mean `/access list`?"],
    ["a misspelt subcommand with arguments", `relase ${UNKNOWN_ID}`, "`relase` is not a subcommand; did you mean `/access release`?"],
    ["a lone unknown word", "frobnicate", "`frobnicate` is not a subcommand or a resource (resources: break-glass-admin, github-org-admin, prod-db-readonly, snowflake-analyst)"],
    ["list with arguments", "list everything", "`/access list` takes no arguments"],
    ["release without an id", "release", "`/access release` takes exactly one grant id"],
    ["release with a malformed id", "release 42", '"42" is not a grant id'],
    ["extend without a duration", `extend ${UNKNOWN_ID}`, "`/access extend` takes a grant id and a duration"],
    ["extend with a bad duration", `extend ${UNKNOWN_ID} later`, '"later" is not a duration'],
  ])("answers %s with the reason and the exact usage", async (_what, text, says) => {
    const reply = await say("alice", text);
    expect(reply).toContain(`⚠️ ${says}`);
    expect(reply).toMatch(/^Usage:/m);
  });

  it("lists my live grant with time left and buttons, and my pending request with its PR and approvals", async () => {
    const alice = stack.person("alice");
    const { texts } = await ephemeralReplies(stack, alice.slack, "list");
    const text = texts.join("\n");
    expect(text).toMatch(new RegExp(`\`${mine.id}\` — \\d+m( \\d+s)? left`));
    expect(text).toContain(`\`${pending.grantId}\` — waiting for review (<https://github.test/acme/grants/pull/${pending.pr}|PR #${pending.pr}>), approvals 0 of 1`);
    const reply = stack.slack.responses().map((r) => r.payload as { text?: string; blocks?: unknown[] }).find((p) => p.text === text);
    const buttons = buttonsIn(reply?.blocks);
    expect(buttons).toEqual(expect.arrayContaining([
      expect.objectContaining({ actionId: "grant_release", value: mine.id }),
      expect.objectContaining({ actionId: "grant_extend", value: mine.id }),
      expect.objectContaining({ actionId: "open_pull_request", value: pending.grantId }),
    ]));
  });

  it("refuses a release or extension of someone else's grant, saying whose it may be", async () => {
    expect(await say("dave", `release ${mine.id}`)).toContain(`⚠️ grant ${mine.id} is not yours. Only the person who holds a grant can release or extend it.`);
    expect(await say("dave", `extend ${mine.id} 1h`)).toContain(`grant ${mine.id} is not yours`);
    expect((await stack.grant(mine.id)).state).toBe("active");
  });

  it("answers an unknown grant id with a next step and the usage", async () => {
    const reply = await say("alice", `release ${UNKNOWN_ID}`);
    expect(reply).toContain(`there is no grant ${UNKNOWN_ID}. Check the id with \`/access list\`.`);
    expect(reply).toContain(`Usage: ${USAGE_LINES.release}`);
  });

  it("refuses an extension longer than the resource allows, saying what to ask for", async () => {
    expect(await say("alice", `extend ${mine.id} 5h`)).toContain("⚠️ prod-db-readonly allows at most 4h; ask for 4h or less.");
  });

  it("files an extension as a new PR whose grant file points at the grant, and refuses a second one while it waits", async () => {
    const reply = await say("alice", `extend ${mine.id} 2h`, 1);
    const id = /Extension `([0-9A-Z]{26})` filed/.exec(reply)?.[1];
    expect(id).toBeDefined();
    const pr = await stack.waitForPr(id!);
    expect(stack.github.fileAt(`grant/${id}`, `grants/prod-db-readonly/${id}.yaml`)).toContain(`extends: ${mine.id}`);
    expect(stack.github.pull(pr).title).toContain("prod-db-readonly");
    expect(await say("alice", `extend ${mine.id} 1h`)).toContain(`already has an extension waiting for review (PR #${pr})`);
  });

  it("releases my grant through the same revocation path as expiry, then refuses to release it again", async () => {
    const alice = stack.person("alice");
    expect(await say("alice", `release ${mine.id}`)).toContain(`🔓 Releasing \`${mine.id}\``);
    await stack.waitForGrant(mine.id, ["released"]);
    await stack.settle();
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    expect(await say("alice", `release ${mine.id}`)).toContain(`grant ${mine.id} is released, not active. Check its state with \`/access list\`.`);
  });

  it("tells a person whose Slack profile shows no email what to do", async () => {
    stack.slack.addUser({ id: "U0NOMAIL001", email: null, name: "nomail" });
    expect(await say2(stack, "U0NOMAIL001", "list")).toContain("grantbot cannot see an email address on your Slack profile. Ask the platform team");
  });
});

async function say2(stack: Stack, userId: string, text: string): Promise<string> {
  return (await ephemeralReplies(stack, userId, text)).texts.join("\n");
}
