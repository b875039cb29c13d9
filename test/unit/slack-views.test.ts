import { describe, expect, it } from "vitest";
import type { Grant, GrantState } from "../../src/domain/grant.ts";
import type { CardModel, HomeModel } from "../../src/services/ports/slack.ts";
import { ACTIONS, button, grantButtons, releaseButton } from "../../src/adapters/slack/views/blocks.ts";
import { CARD_REASON_MAX, renderCard } from "../../src/adapters/slack/views/card.ts";
import { homeView } from "../../src/adapters/slack/views/home.ts";
import { SLACK_LIMITS, clip } from "../../src/adapters/slack/views/limits.ts";
import { listReply } from "../../src/adapters/slack/views/list-reply.ts";
import { renderNote } from "../../src/adapters/slack/views/notes.ts";
import { messageProblems, viewProblems } from "../fakes/fake-slack/index.ts";

const NOW = Date.parse("2026-11-22T10:00:00Z");
let seq = 0;

function grant(over: Partial<Grant> = {}): Grant {
  const id = `01JD2S3K7Q8R9T0V1W2X3Y${String(++seq).padStart(4, "0")}`.slice(0, 26);
  return {
    id, resource: "prod-db-readonly", subject: "alice@example.com", requester: "alice@example.com", requesterSlackId: "U0ALICE0001",
    durationMs: 3_600_000, reason: "INC-1 replica lag", requestedAt: NOW - 60_000, extends: null, state: "active",
    fileContent: "", filePath: "", branch: "", prNumber: 7, prUrl: "https://github.test/acme/grants/pull/7", headSha: null, mergeSha: null,
    approvedBy: ["carol-gh"], approvedAt: NOW - 30_000, activatedAt: NOW - 30_000, expiresAt: NOW + 3_570_000, endedAt: null, endReason: null,
    access: null, credentialMessage: null, updatedAt: NOW, ...over,
  };
}

function card(g: Grant, over: Partial<CardModel> = {}): CardModel {
  return { grant: g, approvedBy: g.approvedBy.map((login) => ({ login, slackId: "U0CAROL0001" })), changesRequestedBy: [], required: 1, requesterSlackId: "U0ALICE0001", subjectSlackId: "U0ALICE0001", continuedBy: null, now: NOW, ...over };
}

describe("request card", () => {
  it.each<[GrantState, Partial<Grant>, RegExp]>([
    ["requested", { prNumber: null, prUrl: null, approvedBy: [] }, /Opening the pull request/],
    ["pr_open", { approvedBy: [] }, /Waiting for review: 0 of 1 approval$/],
    ["approved", {}, /Merged and approved; activating · approved by carol-gh/],
    ["active", {}, /Active until 2026-11-22T10:59:30Z · approved by carol-gh/],
    ["expired", { endedAt: NOW, endReason: "expired" }, /Ended at 2026-11-22T10:00:00Z: expired; access revoked/],
    ["released", { endedAt: NOW, endReason: "released" }, /released early by its holder/],
    ["revoked", { endedAt: NOW, endReason: "leaver: offboarded" }, /revoked because the person left/],
    ["declined", { approvedBy: [] }, /Declined: the pull request was closed without merging/],
    ["rejected", { approvedBy: [], endReason: "needs 1 approval from acme/dba or carol-gh; has 0" }, /not activated: needs 1 approval/],
    ["cancelled", { approvedBy: [], endReason: "could not open the pull request" }, /Cancelled: could not open/],
  ])("says what a %s request is, in text and blocks", (state, over, says) => {
    const g = grant({ state, ...over });
    const message = renderCard(card(g));
    expect(message.text).toMatch(says);
    expect(messageProblems(message.text, message.blocks)).toEqual([]);
  });

  it("names approvers with a Slack mention and shows changes requested while pending", () => {
    const g = grant({ state: "pr_open", approvedBy: [] });
    const blocks = JSON.stringify(renderCard(card(g, { approvedBy: [{ login: "carol-gh", slackId: "U0CAROL0001" }], changesRequestedBy: [{ login: "bob-gh", slackId: null }], required: 2 })).blocks);
    expect(blocks).toContain("1 of 2 approvals; changes requested by bob-gh");
    expect(blocks).toContain("<@U0CAROL0001> (carol-gh)");
  });

  it("says an expired grant's access continues under its extension", () => {
    const ext = grant({ extends: "X", expiresAt: NOW + 7_200_000 });
    const text = renderCard(card(grant({ state: "expired", endedAt: NOW }), { continuedBy: ext })).text;
    expect(text).toContain(`access continues under extension \`${ext.id}\` until 2026-11-22T12:00:00Z`);
  });

  it("cuts a long reason and a long rejection to Slack's limits", () => {
    const g = grant({ state: "rejected", reason: "r".repeat(1000), endReason: "x".repeat(10_000), approvedBy: [] });
    const message = renderCard(card(g));
    expect(messageProblems(message.text, message.blocks)).toEqual([]);
    const reason = JSON.stringify(message.blocks).match(/\*Reason\*\\n(r+…)/)?.[1];
    expect(reason).toHaveLength(CARD_REASON_MAX);
  });
});

describe("Home tab and /access list", () => {
  const many = (n: number, state: GrantState) => Array.from({ length: n }, () => grant({ state }));

  it("fits any number of grants in the block limit and says how many were left out", () => {
    const home: HomeModel = { email: "alice@example.com", now: NOW, live: many(120, "active"), pending: many(40, "pr_open").map((g) => ({ grant: g, approvedBy: [], required: 1 })), recent: many(5, "expired") };
    const view = homeView(home);
    const blocks = view.blocks as unknown[];
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.viewBlocks);
    expect(viewProblems(view, "home")).toEqual([]);
    const text = JSON.stringify(blocks);
    const shownLive = (text.match(/"action_id":"grant_release"/g) ?? []).length;
    expect(text).toContain(`…and ${120 - shownLive} more`);
    expect(text).toContain("*Pending requests* (40)");
    expect(text).toContain("*Recently ended*");
  });

  it("shows an empty Home tab with the Request access button and a hint", () => {
    const view = homeView({ email: "a@example.com", now: NOW, live: [], pending: [], recent: [] });
    const text = JSON.stringify(view);
    expect(text).toContain(ACTIONS.requestAccess);
    expect(text).toContain("No live grants");
    expect(text).not.toContain("Recently ended");
  });

  it("keeps the list reply within a message's 50 blocks", () => {
    const message = listReply({ email: "a@example.com", now: NOW, live: many(60, "active"), pending: many(60, "pr_open").map((g) => ({ grant: g, approvedBy: ["carol-gh"], required: 2 })), recent: [] });
    expect(message.blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    expect(messageProblems(message.text, message.blocks)).toEqual([]);
    expect(message.text.split("\n")).toHaveLength(120);
  });
});

describe("buttons and limits", () => {
  it("clips to the limit without splitting an emoji", () => {
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("ab…");
    expect(clip("ab😀cd", 4)).toBe("ab…");
    expect(clip("ab😀cd", 5)).toBe("ab😀…");
  });

  it("cuts button text and value to Slack's limits", () => {
    const b = button({ actionId: "x", text: "t".repeat(200), value: "v".repeat(5000) }) as { text: { text: string }; value: string };
    expect(b.text.text).toHaveLength(SLACK_LIMITS.buttonText);
    expect(b.value).toHaveLength(SLACK_LIMITS.buttonValue);
  });

  it("asks for confirmation before releasing", () => {
    expect(JSON.stringify(releaseButton(grant()))).toContain('"confirm":{"type":"plain_text","text":"Release"}');
    expect(JSON.stringify(grantButtons(grant()))).toMatch(/grant_extend.*grant_release/);
  });

  it("puts Extend and Release on the credential DM and the pre-expiry reminder", () => {
    const g = grant();
    for (const note of [{ kind: "active", grant: g, token: "eyJ.x.y", audience: "prod-db" }, { kind: "expiry_reminder", grant: g }] as const) {
      const text = JSON.stringify(renderNote(note, NOW).blocks);
      expect(text).toContain(`"action_id":"grant_extend","text":{"type":"plain_text","text":"Extend…","emoji":true},"value":"${g.id}"`);
      expect(text).toContain('"action_id":"grant_release"');
    }
  });

  it("tells the requester about a review in one line", () => {
    const g = grant({ state: "pr_open", approvedBy: [] });
    expect(renderNote({ kind: "review", grant: g, approvedBy: ["carol-gh"], changesRequestedBy: [], required: 1 }, NOW).text).toBe(
      `👀 Review on your request for *prod-db-readonly* for 1h (<${g.prUrl}|PR #7>): 1 of 1 approval. Approved by carol-gh. It has enough approvals; access starts when it is merged.`,
    );
  });
});
