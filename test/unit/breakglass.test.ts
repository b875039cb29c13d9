/**
 * Break-glass rules, pure: the catalog's `breakglass` block and the grant file's `emergency` key
 * (schemas and `grantbot validate`), `/access breakglass` parsing, the request rules, the
 * after-the-fact review rules, and the deadline arithmetic.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { assertExtendable, breakglassPolicyOf, escalationAt, evaluateBreakglassRequest, isEmergencyGrant } from "../../src/domain/breakglass.ts";
import { evaluateBreakglassReview, type BreakglassReviewInput } from "../../src/domain/breakglass-review.ts";
import { parseGrantFileText, renderGrantFile } from "../../src/domain/grant-file-text.ts";
import { catalogSchema, grantFileSchema, type Catalog, type People } from "../../src/domain/grant-files.ts";
import { validateGrantsTree } from "../../src/domain/grants-validation.ts";
import { parseSlashCommand, SUBCOMMANDS, USAGE, USAGE_LINES } from "../../src/domain/slash-command.ts";

const RESOURCE = {
  description: "Replica",
  scim: { target: "aws", groups: ["db"] },
  duration: { default: "1h", max: "4h", min: "30m" },
  approvers: { users: ["carol-gh"], min: 1 },
  eligible: ["engineering"],
  reason_required: false,
};
const catalogWith = (breakglass: unknown, extra: Record<string, unknown> = {}) => ({ resources: { db: { ...RESOURCE, ...extra, ...(breakglass === undefined ? {} : { breakglass }) } } });
const CATALOG: Catalog = catalogSchema.parse({ resources: { db: { ...RESOURCE, breakglass: { max: "1h", review_within: "24h", channels: ["C0SEC00001"] } }, other: RESOURCE } });
const PEOPLE: People = {
  people: [
    { email: "alice@example.com", github: "alice-gh", groups: ["engineering"] },
    { email: "carol@example.com", github: "carol-gh" },
  ],
};

describe("catalog: breakglass", () => {
  it.each([
    ["max and review_within", { max: "1h", review_within: "24h" }],
    ["with channels", { max: "1h", review_within: "24h", channels: ["C0SEC00001", "G0SEC00002"] }],
    ["durations in seconds", { max: "45s", review_within: "90s" }],
    ["ISO 8601 durations", { max: "PT30M", review_within: "P1D" }],
  ])("accepts %s", (_name, breakglass) => {
    expect(catalogSchema.safeParse(catalogWith(breakglass)).success).toBe(true);
  });

  it.each([
    ["an unknown key", { max: "1h", review_within: "24h", approvers: 0 }, "approvers"],
    ["a missing review_within", { max: "1h" }, "review_within"],
    ["a bad duration", { max: "soon", review_within: "24h" }, '"soon" is not a duration'],
    ["a zero duration", { max: "0s", review_within: "24h" }, "must be longer than zero"],
    ["a channel name instead of an id", { max: "1h", review_within: "24h", channels: ["#security"] }, "a Slack channel id such as C0SEC00001"],
    ["not an object", true, "breakglass"],
  ])("refuses %s", (_name, breakglass, expected) => {
    const parsed = catalogSchema.safeParse(catalogWith(breakglass));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")).toContain(expected);
  });

  it("is what grantbot validate checks, with the line to edit", () => {
    const people = { path: "grants/people.yaml", text: stringify(PEOPLE) };
    const good = { path: "grants/catalog.yaml", text: stringify(catalogWith({ max: "1h", review_within: "24h" })) };
    expect(validateGrantsTree({ files: [good, people] })).toEqual([]);
    const bad = { path: "grants/catalog.yaml", text: stringify(catalogWith({ max: "1h", review_within: "a day" })) };
    expect(validateGrantsTree({ files: [bad, people] })).toEqual([expect.objectContaining({ file: "grants/catalog.yaml", message: expect.stringContaining('"a day" is not a duration') })]);
  });

  it("reads the policy of a resource, or null when it has none", () => {
    expect(breakglassPolicyOf(CATALOG.resources.db)).toEqual({ maxMs: 3_600_000, reviewWithinMs: 86_400_000, channels: ["C0SEC00001"] });
    expect(breakglassPolicyOf(CATALOG.resources.other)).toBeNull();
  });
});

describe("grant file: emergency", () => {
  const file = { id: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", resource: "db", subject: "a@example.com", requester: "a@example.com", duration: "30m", reason: "INC-1", requested_at: "2026-11-22T10:00:00Z" };
  it.each([
    ["absent is valid", {}, true],
    ["true is valid", { emergency: true }, true],
    ["false is refused", { emergency: false }, false],
    ["a string is refused", { emergency: "true" }, false],
  ])("emergency: %s", (_name, extra, ok) => {
    expect(grantFileSchema.safeParse({ ...file, ...extra }).success).toBe(ok);
  });

  it("is written after extends, and reads back", () => {
    const text = renderGrantFile({ ...file, emergency: true });
    expect(text.trimEnd().split("\n").at(-1)).toBe("emergency: true");
    expect(parseGrantFileText(text)).toEqual({ ok: true, file: { ...file, emergency: true } });
  });
});

describe("/access breakglass", () => {
  it.each([
    ["breakglass db 30m INC-1 replica down", { kind: "breakglass", resource: "db", duration: "30m", durationMs: 1_800_000, reason: "INC-1 replica down" }],
    ["BREAKGLASS DB 45s why", { kind: "breakglass", resource: "db", duration: "45s", durationMs: 45_000, reason: "why" }],
    ["breakglass db PT1H a &lt;b&gt;", { kind: "breakglass", resource: "db", duration: "PT1H", durationMs: 3_600_000, reason: "a <b>" }],
  ])("%s", (text, expected) => {
    expect(parseSlashCommand(text)).toEqual(expected);
  });

  it.each([
    ["breakglass", "say which resource you need in an emergency"],
    ["breakglass db", "say how long you need db for, e.g. `/access breakglass db 2h <reason>`"],
    ["breakglass db soon INC-1", "the third word must be a duration"],
    ["breakglass db 30m", "break-glass needs a reason"],
    ["breakglass db/x 30m y", "is not a resource id"],
  ])("%s is refused with the break-glass usage", (text, message) => {
    const parsed = parseSlashCommand(text);
    expect(parsed).toMatchObject({ kind: "error", usage: USAGE_LINES.breakglass });
    expect(parsed.kind === "error" && parsed.message).toContain(message);
  });

  it("is a listed subcommand with its usage line, and a near miss gets a did-you-mean", () => {
    expect(SUBCOMMANDS).toContain("breakglass");
    expect(USAGE).toContain(USAGE_LINES.breakglass);
    expect(parseSlashCommand("breakglas db 30m x", { resources: ["db"] })).toMatchObject({ kind: "error", message: "`breakglas` is not a subcommand; did you mean `/access breakglass`?" });
  });
});

describe("break-glass request rules", () => {
  const ask = (resource: string, duration: string | undefined, reason = "INC-1", groups = ["engineering"]) =>
    evaluateBreakglassRequest({ catalog: CATALOG, resource, duration, reason, requester: { email: "alice@example.com", groups } });

  it.each([
    ["an unknown resource", "nope", "30m", "INC-1", "unknown_resource", 'unknown resource "nope"'],
    ["a resource without break-glass", "other", "30m", "INC-1", "policy_denied", "other does not allow break-glass (resources that allow it: db)"],
    ["more than the max", "db", "61m", "INC-1", "bad_duration", "break-glass on db lasts at most 1h; ask for 1h or less (nothing was granted)"],
    ["a bad duration", "db", "later", "INC-1", "bad_duration", '"later" is not a duration'],
    ["no reason (even where reason_required is false)", "db", "30m", "  ", "policy_denied", "break-glass needs a reason"],
  ])("refuses %s", (_name, resource, duration, reason, code, message) => {
    expect(ask(resource, duration, reason)).toMatchObject({ ok: false, code, message: expect.stringContaining(message) });
  });

  it("refuses someone who is not eligible, as a normal request would", () => {
    expect(ask("db", "30m", "INC-1", ["sales"])).toMatchObject({ ok: false, code: "policy_denied", message: expect.stringContaining("may only be requested by members of engineering") });
  });

  it.each([
    ["exactly the max", "1h", 3_600_000],
    ["below duration.min (min does not apply in an emergency)", "5m", 300_000],
    ["no duration: the break-glass max", undefined, 3_600_000],
  ])("accepts %s", (_name, duration, ms) => {
    expect(ask("db", duration)).toMatchObject({ ok: true, durationMs: ms, policy: { maxMs: 3_600_000, reviewWithinMs: 86_400_000 } });
  });
});

describe("break-glass review rules", () => {
  const FILE = "id: x\nemergency: true\n";
  const base: BreakglassReviewInput = {
    committedContent: FILE,
    mergedContent: FILE,
    catalog: CATALOG,
    resource: "db",
    reviews: [{ login: "carol-gh", state: "APPROVED", commitId: "head", submittedAt: 1000 }],
    headSha: "head",
    mergedAt: 2000,
    people: PEOPLE,
    teamMembers: new Map(),
    subject: "alice@example.com",
    requester: "alice@example.com",
  };
  it.each([
    ["reviewed: a valid approval on the head commit, before the merge", {}, true, null],
    ["not reviewed: a file edited after grantbot wrote it", { mergedContent: `${FILE}duration: 9h\n` }, false, "file_tampered"],
    ["not reviewed: the file missing from the merge", { mergedContent: null }, false, "file_tampered"],
    ["not reviewed: the resource gone from the policy before the merge", { resource: "gone" }, false, "unknown_resource"],
    ["not reviewed: an approval submitted after the merge", { mergedAt: 500 }, false, "approval_missing"],
    ["not reviewed: an approval of an older commit", { headSha: "newer" }, false, "approval_missing"],
    ["not reviewed: the person approving their own break-glass", { subject: "carol@example.com", requester: "carol@example.com" }, false, "approval_missing"],
    ["not reviewed: an approver not in people.yaml", { people: { people: [] } }, false, "approval_missing"],
  ])("%s", (_name, patch, ok, code) => {
    const result = evaluateBreakglassReview({ ...base, ...patch });
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.code).toBe(code);
    else expect(result.approvers).toEqual([{ login: "carol-gh", email: "carol@example.com" }]);
  });
});

describe("emergency grants", () => {
  it("are recognised by their branch and are not extended", () => {
    expect(isEmergencyGrant({ branch: "breakglass/01JD2S3K7Q8R9T0V1W2X3Y4Z5A" })).toBe(true);
    expect(isEmergencyGrant({ branch: "grant/01JD2S3K7Q8R9T0V1W2X3Y4Z5A" })).toBe(false);
    expect(() => assertExtendable({ id: "X", branch: "breakglass/X", resource: "db" })).toThrow(/break-glass grant and cannot be extended.*\/access db <duration> <reason>/);
    expect(() => assertExtendable({ id: "X", branch: "grant/X", resource: "db" })).not.toThrow();
  });

  it("escalate at the deadline, then daily", () => {
    expect([0, 1, 2].map((n) => escalationAt(1_000, n))).toEqual([1_000, 86_401_000, 172_801_000]);
  });
});
