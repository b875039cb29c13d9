/**
 * What people see of break-glass, as pure builders: the form's Emergency choices, the alerts
 * (who, what, why, until when, the PR) for each audience, the buttons of an emergency grant, and
 * the review PR's title and body.
 */
import { describe, expect, it } from "vitest";
import { BREAKGLASS_AUDIENCES, BREAKGLASS_EVENTS } from "../../src/domain/breakglass.ts";
import { breakglassPrBody, breakglassPrTitle } from "../../src/domain/breakglass-texts.ts";
import { newGrant, type Grant } from "../../src/domain/grant.ts";
import { catalogSchema } from "../../src/domain/grant-files.ts";
import { grantButtons } from "../../src/adapters/slack/views/blocks.ts";
import { renderNote } from "../../src/adapters/slack/views/notes.ts";
import { requestModal, resourceChoice } from "../../src/adapters/slack/views/request-modal.ts";
import type { BreakglassRecord } from "../../src/services/ports/index.ts";

const resource = (extra: Record<string, unknown> = {}) => ({ description: "DB", scim: { target: "aws", groups: ["db"] }, duration: { default: "1h", max: "4h" }, approvers: { users: ["carol-gh"] }, ...extra });
const CATALOG = catalogSchema.parse({ resources: { db: resource({ breakglass: { max: "1h", review_within: "24h" } }), wiki: resource(), aws: resource({ breakglass: { max: "30m", review_within: "8h" } }) } });
const ID = "01JD2S3K7Q8R9T0V1W2X3Y4Z5A";
const GRANT: Grant = {
  ...newGrant({ id: ID, resource: "db", subject: "alice@example.com", requester: "alice@example.com", requesterSlackId: "U0ALICE0001", durationMs: 1_800_000, reason: "INC-42 <b>replica</b> down", requestedAt: 0, fileContent: "" }),
  branch: `breakglass/${ID}`,
  state: "active",
  activatedAt: 1_000,
  expiresAt: 1_801_000,
  prNumber: 7,
  prUrl: "https://github.test/acme/grants/pull/7",
};
const RECORD: BreakglassRecord = { grantId: ID, resource: "db", subject: "alice@example.com", reviewWithinMs: 86_400_000, channels: [], createdAt: 0, activatedAt: 1_000, reviewDeadline: 86_401_000, announcedAt: 1_000, status: "pending", reviewedAt: null, approvers: [], escalations: 1 };

type Select = { options?: Array<{ value: string }>; option_groups?: Array<{ label: { text: string }; options: Array<{ value: string }> }> };
const selectOf = (view: Record<string, unknown>) => (view.blocks as Array<{ element?: Select & { type?: string } }>).find((b) => b.element?.type === "static_select")!.element!;

describe("the request form", () => {
  it("adds Emergency choices for exactly the resources that allow break-glass", () => {
    const select = selectOf(requestModal(CATALOG));
    expect(select.options).toBeUndefined();
    expect(select.option_groups!.map((g) => g.options.map((o) => o.value))).toEqual([["db", "wiki", "aws"], ["breakglass:aws", "breakglass:db"]]);
    expect(resourceChoice("breakglass:db")).toEqual({ resource: "db", emergency: true });
    expect(resourceChoice("db")).toEqual({ resource: "db", emergency: false });
  });

  it("is unchanged for a catalog without break-glass", () => {
    const select = selectOf(requestModal(catalogSchema.parse({ resources: { wiki: resource() } })));
    expect(select.option_groups).toBeUndefined();
    expect(select.options!.map((o) => o.value)).toEqual(["wiki"]);
  });
});

describe("break-glass alerts", () => {
  it.each(BREAKGLASS_EVENTS.flatMap((event) => BREAKGLASS_AUDIENCES.map((audience) => [event, audience] as const)))("%s for %s names who, what, why and the PR", (event, audience) => {
    const message = renderNote({ kind: "breakglass", event, audience, grant: GRANT, record: RECORD }, 0);
    expect(message.text).toContain("*db*");
    expect(message.text).toContain("INC-42 &lt;b&gt;replica&lt;/b&gt; down"); // escaped, never markup
    expect(message.text).toContain("<https://github.test/acme/grants/pull/7|PR #7>");
    expect(message.text).toContain("<!date^1801^"); // until when
    if (audience !== "requester") expect(message.text).toContain("alice@example.com");
  });

  it("says when the PR is not open yet", () => {
    const message = renderNote({ kind: "breakglass", event: "activated_no_pr", audience: "ops", grant: { ...GRANT, prNumber: null, prUrl: null }, record: RECORD }, 0);
    expect(message.text).toContain(`not open yet: GitHub has not taken it; grantbot keeps trying, branch \`breakglass/${ID}\``);
  });

  it("the credential DM of an emergency grant offers Release only, and names its review PR", () => {
    expect(JSON.stringify(grantButtons(GRANT))).not.toContain("grant_extend");
    expect(JSON.stringify(grantButtons({ ...GRANT, branch: `grant/${ID}` }))).toContain("grant_extend");
    expect(renderNote({ kind: "active", grant: GRANT, token: null, audience: null }, 0).text).toContain("Break-glass: active without prior review; <https://github.test/acme/grants/pull/7|PR #7>");
  });
});

describe("the review PR", () => {
  it("says it is already active, why, and what reviewers must do by when", () => {
    const input = { grantId: ID, resource: "db", resourceDescription: "DB", subject: "alice@example.com", durationMs: 1_800_000, reason: "INC-42 @acme/dba please", requestedAt: 0, reviewWithinMs: 86_400_000, approvers: "@carol-gh", min: 1 };
    expect(breakglassPrTitle(input)).toBe("🚨 Break-glass: db for alice@example.com (30m)");
    const body = breakglassPrBody(input);
    expect(body).toContain("This access is **already active**");
    expect(body).toContain("approve the final commit and merge** within 1d of activation");
    expect(body).toContain("**Closed without merging** revokes the access at once");
    expect(body).toContain("@\u200bacme/dba please"); // a reason cannot ping a team
  });
});
