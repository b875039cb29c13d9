import { describe, expect, it } from "vitest";
import type { Person } from "../../src/domain/grant-files.ts";
import { diffPolicies, EMPTY_POLICY, type DiffResource, type PolicySide, type RiskCode } from "../../src/domain/policy-diff.ts";
import { DIFF_MARKER, GITHUB_COMMENT_MAX_CHARS, renderDiffJson, renderDiffMarkdown } from "../../src/domain/policy-diff-render.ts";
import { parsePolicyTexts } from "../../src/domain/policy-diff-source.ts";

const DB: DiffResource = {
  description: "Read-only access to the production replica",
  scim: { target: "aws", groups: ["prod-db-readonly"] },
  duration: { default: "1h", max: "4h" },
  approvers: { teams: ["acme/dba"], users: ["carol-gh"], min: 2 },
  eligible: ["engineering"],
  reason_required: true,
  credential: { audience: "prod-db", scopes: ["db:read"] },
  slack_channel: "C0DBA00001",
  enforce: true,
  standing_members: [{ email: "dana@example.com", review_after: "2027-03-01" }],
  breakglass: { max: "1h", review_within: "24h", channels: ["C0SEC00001"] },
  review: { every: "90d", notice: "14d", on_missed: "revoke" },
};
const PEOPLE: Person[] = [
  { email: "alice@example.com", github: "alice-gh", slack: "U0ALICE0001", groups: ["engineering"] },
  { email: "carol@example.com", github: "carol-gh", slack: "U0CAROL0001", groups: ["dba"] },
  { email: "erin@example.com", github: "erin-gh", groups: ["sre"] },
];

/** The policy with `db` as prod-db-readonly (null: no such resource). */
function side(db: DiffResource | null = DB, people: Person[] = PEOPLE): PolicySide {
  return { catalog: { resources: db ? { "prod-db-readonly": db } : {} }, people: { people } };
}
const withDb = (change: Partial<DiffResource>): DiffResource => ({ ...DB, ...change });
const without = (key: keyof DiffResource): DiffResource => {
  const copy = { ...DB } as Record<string, unknown>;
  delete copy[key];
  return copy as DiffResource;
};

describe("diffPolicies: catalog changes of one resource", () => {
  it.each<[string, DiffResource, string[], RiskCode[]]>([
    ["max duration up", withDb({ duration: { default: "1h", max: "8h" } }), ["duration.max"], ["max_duration_up"]],
    ["max duration down", withDb({ duration: { default: "1h", max: "2h" } }), ["duration.max"], []],
    ["default duration changed", withDb({ duration: { default: "2h", max: "4h" } }), ["duration.default"], []],
    ["min duration added", withDb({ duration: { default: "1h", max: "4h", min: "15m" } }), ["duration.min"], []],
    ["min approvers down", withDb({ approvers: { ...DB.approvers, min: 1 } }), ["approvers.min"], ["approvers_fewer"]],
    ["min approvers up", withDb({ approvers: { ...DB.approvers, min: 3 } }), ["approvers.min"], []],
    ["approver user added", withDb({ approvers: { ...DB.approvers, users: ["carol-gh", "erin-gh"] } }), ["approvers.users"], ["approver_added"]],
    ["approver team added", withDb({ approvers: { ...DB.approvers, teams: ["acme/dba", "acme/sre"] } }), ["approvers.teams"], ["approver_added"]],
    ["approver removed", withDb({ approvers: { ...DB.approvers, users: [] } }), ["approvers.users"], []],
    ["approver who is eligible added", withDb({ approvers: { ...DB.approvers, users: ["carol-gh", "alice-gh"] } }), ["approvers.users"], ["approver_added", "approver_can_request"]],
    ["eligibility removed (anyone)", without("eligible"), ["eligible"], ["eligibility_widened", "approver_can_request"]],
    ["eligible group added", withDb({ eligible: ["engineering", "sre"] }), ["eligible"], ["eligibility_widened"]],
    ["eligible group of an approver added", withDb({ eligible: ["engineering", "dba"] }), ["eligible"], ["eligibility_widened", "approver_can_request"]],
    ["eligible group removed", withDb({ eligible: [] }), ["eligible"], []],
    ["reason no longer required", withDb({ reason_required: false }), ["reason_required"], ["reason_not_required"]],
    ["standing member added", withDb({ standing_members: [...DB.standing_members, "erin@example.com"] }), ["standing_members"], ["standing_member_added"]],
    ["standing member removed", withDb({ standing_members: [] }), ["standing_members"], []],
    ["standing review postponed", withDb({ standing_members: [{ email: "dana@example.com", review_after: "2028-01-01" }] }), ["standing_members"], ["standing_review_postponed"]],
    ["standing review date dropped", withDb({ standing_members: ["dana@example.com"] }), ["standing_members"], ["standing_review_postponed"]],
    ["standing review brought forward", withDb({ standing_members: [{ email: "dana@example.com", review_after: "2026-12-01" }] }), ["standing_members"], []],
    ["SCIM target changed", withDb({ scim: { target: "okta", groups: ["prod-db-readonly"] } }), ["scim.target"], ["target_changed"]],
    ["SCIM group added", withDb({ scim: { target: "aws", groups: ["prod-db-readonly", "prod-db-admin"] } }), ["scim.groups"], ["groups_added"]],
    ["SCIM group replaced", withDb({ scim: { target: "aws", groups: ["prod-db-admin"] } }), ["scim.groups"], ["groups_added"]],
    ["credential audience changed", withDb({ credential: { audience: "prod-db-admin", scopes: ["db:read"] } }), ["credential.audience"], ["audience_changed"]],
    ["credential scope added", withDb({ credential: { audience: "prod-db", scopes: ["db:read", "db:write"] } }), ["credential.scopes"], ["scopes_added"]],
    ["credential scope removed", withDb({ credential: { audience: "prod-db", scopes: [] } }), ["credential.scopes"], []],
    ["credential removed", without("credential"), ["credential.audience", "credential.scopes"], []],
    ["enforce turned off", withDb({ enforce: false }), ["enforce"], ["enforce_off"]],
    ["breakglass removed", without("breakglass"), ["breakglass"], []],
    ["breakglass max up", withDb({ breakglass: { max: "4h", review_within: "24h", channels: ["C0SEC00001"] } }), ["breakglass"], ["breakglass_widened"]],
    ["breakglass review window longer", withDb({ breakglass: { max: "1h", review_within: "72h", channels: ["C0SEC00001"] } }), ["breakglass"], ["breakglass_widened"]],
    ["breakglass channels changed", withDb({ breakglass: { max: "1h", review_within: "24h", channels: [] } }), ["breakglass"], []],
    ["access review removed", without("review"), ["review"], ["review_weakened"]],
    ["access review less frequent", withDb({ review: { every: "180d", notice: "14d", on_missed: "revoke" } }), ["review"], ["review_weakened"]],
    ["missed review no longer revokes", withDb({ review: { every: "90d", notice: "14d", on_missed: "keep" } }), ["review"], ["review_weakened"]],
    ["slack channel changed", withDb({ slack_channel: "C0OTHER001" }), ["slack_channel"], []],
    ["description changed", withDb({ description: "Replica, read-only" }), ["description"], []],
    ["unknown key (newer schema) added", { ...DB, approval_note: { text: "x" } } as DiffResource, ["approval_note"], []],
  ])("%s", (_name, after, fields, risks) => {
    const diff = diffPolicies(side(), side(after));
    expect(diff.resources).toHaveLength(1);
    const [resource] = diff.resources;
    expect(resource!.change).toBe("changed");
    expect(resource!.fields.map((f) => f.field)).toEqual(fields);
    expect(resource!.risks.map((r) => r.code)).toEqual(risks);
    expect(diff.risks).toBe(risks.length);
    expect(diff.people).toEqual([]);
  });

  it("does not list a resource whose changes are only spelling (4h vs 240m, order of lists)", () => {
    const after = withDb({ duration: { default: "60m", max: "PT4H" }, approvers: { ...DB.approvers, teams: ["acme/dba"] }, scim: { target: "aws", groups: ["prod-db-readonly"] } });
    expect(diffPolicies(side(), side(after))).toEqual({ resources: [], people: [], risks: 0 });
  });

  it("turning breakglass on (with a standing member and an eligible approver) flags each", () => {
    const before = side(withDb({ breakglass: undefined, standing_members: [], eligible: ["sre"] }));
    const diff = diffPolicies(before, side(withDb({ eligible: ["sre", "dba"] })));
    expect(diff.resources[0]!.risks.map((r) => r.code)).toEqual(["eligibility_widened", "standing_member_added", "breakglass_added", "approver_can_request"]);
    expect(diff.resources[0]!.risks.at(-1)!.message).toBe("carol-gh (carol@example.com) can approve it and can request it (people.yaml group dba)");
  });

  it("shows approvers expanded to people, and teams as not known offline", () => {
    const after = withDb({ approvers: { teams: ["acme/dba", "acme/sre"], users: ["carol-gh", "ghost-gh"], min: 2 } });
    const diff = diffPolicies(side(), side(after));
    const users = diff.resources[0]!.fields.find((f) => f.field === "approvers.users")!;
    expect(users.added).toEqual([{ login: "ghost-gh", email: null }]);
    expect(users.after).toEqual([{ login: "carol-gh", email: "carol@example.com" }, { login: "ghost-gh", email: null }]);
    expect(diff.resources[0]!.risks[0]!.message).toBe(
      "new approvers: ghost-gh (not in people.yaml: approvals do not count) and team acme/sre (members not known offline)",
    );
  });
});

describe("diffPolicies: resources added and removed", () => {
  it("flags a new resource with what it allows, its standing members, break-glass and approvers who can request it", () => {
    const diff = diffPolicies(side(null), side(withDb({ eligible: ["engineering", "dba"] })));
    const [resource] = diff.resources;
    expect(resource!.change).toBe("added");
    expect(resource!.fields.every((f) => f.before === null)).toBe(true);
    expect(resource!.fields.map((f) => f.field)).toContain("duration.max");
    expect(resource!.risks.map((r) => r.code)).toEqual(["resource_added", "standing_member_added", "breakglass_added", "approver_can_request"]);
    expect(resource!.risks[0]!.message).toBe("new resource prod-db-readonly: members of engineering and dba can request up to 4h, approved by 2 of team acme/dba and carol-gh");
  });

  it("lists a removed resource without flags", () => {
    const diff = diffPolicies(side(), side(null));
    expect(diff.resources[0]).toMatchObject({ id: "prod-db-readonly", change: "removed", risks: [] });
    expect(diff.resources[0]!.fields.every((f) => f.after === null)).toBe(true);
    expect(diff.risks).toBe(0);
  });

  it("treats an absent policy as empty on either side", () => {
    expect(diffPolicies(EMPTY_POLICY, EMPTY_POLICY)).toEqual({ resources: [], people: [], risks: 0 });
    expect(diffPolicies(EMPTY_POLICY, side()).resources[0]!.change).toBe("added");
  });
});

const alice = PEOPLE[0]!;
const carol = PEOPLE[1]!;
const erin = PEOPLE[2]!;
const mallory: Person = { email: "mallory@example.com", github: "mallory-gh" };

describe("diffPolicies: people.yaml changes", () => {
  it.each<[string, Person[], { email: string; change: string; fields: string[]; sensitive: boolean; risks: RiskCode[] }[], RiskCode[]]>([
    ["person added", [...PEOPLE, mallory], [{ email: "mallory@example.com", change: "added", fields: ["github"], sensitive: false, risks: [] }], []],
    ["person removed", [alice, carol], [{ email: "erin@example.com", change: "removed", fields: ["github", "groups"], sensitive: false, risks: [] }], []],
    ["GitHub login now maps to another email (sensitive)", [alice, { ...carol, github: "carol2-gh" }, erin, { ...mallory, github: "carol-gh" }],
      [{ email: "carol@example.com", change: "changed", fields: ["github"], sensitive: false, risks: [] },
        { email: "mallory@example.com", change: "added", fields: ["github"], sensitive: true, risks: ["identity_remap"] }],
      ["approver_remap"]],
    ["Slack id now maps to another email (sensitive)", [{ ...alice, slack: undefined }, carol, { ...erin, slack: "U0ALICE0001" }],
      [{ email: "alice@example.com", change: "changed", fields: ["slack"], sensitive: false, risks: [] },
        { email: "erin@example.com", change: "changed", fields: ["slack"], sensitive: true, risks: ["identity_remap"] }], []],
    ["email of a login changed (same login, new email)", [{ ...alice, email: "alice@corp.example.com" }, carol, erin],
      [{ email: "alice@corp.example.com", change: "added", fields: ["github", "slack", "groups"], sensitive: true, risks: ["identity_remap", "identity_remap"] },
        { email: "alice@example.com", change: "removed", fields: ["github", "slack", "groups"], sensitive: false, risks: [] }], []],
    ["groups added that make someone eligible", [alice, carol, { ...erin, groups: ["sre", "engineering"] }],
      [{ email: "erin@example.com", change: "changed", fields: ["groups"], sensitive: false, risks: ["person_groups_added"] }], []],
    ["groups added that change nothing", [alice, carol, { ...erin, groups: ["sre", "finance"] }],
      [{ email: "erin@example.com", change: "changed", fields: ["groups"], sensitive: false, risks: [] }], []],
    ["an approver gains an eligible group", [alice, { ...carol, groups: ["dba", "engineering"] }, erin],
      [{ email: "carol@example.com", change: "changed", fields: ["groups"], sensitive: false, risks: ["person_groups_added"] }], ["approver_can_request"]],
  ])("%s", (_name, after, people, resourceRisks) => {
    const diff = diffPolicies(side(), side(DB, after));
    expect(diff.people.map((p) => ({ email: p.email, change: p.change, fields: p.fields.map((f) => f.field), sensitive: p.sensitive, risks: p.risks.map((r) => r.code) }))).toEqual(people);
    expect(diff.resources.flatMap((r) => r.risks.map((x) => x.code))).toEqual(resourceRisks);
    expect(diff.risks).toBe(people.flatMap((p) => p.risks).length + resourceRisks.length);
  });

  it("says which login moved to whom", () => {
    const after = [alice, { ...carol, github: "carol2-gh" }, erin, { ...mallory, github: "carol-gh" }];
    const diff = diffPolicies(side(), side(DB, after));
    expect(diff.people[1]!.risks[0]!.message).toBe("GitHub login carol-gh now maps to mallory@example.com (was carol@example.com)");
    expect(diff.resources[0]!.risks[0]!.message).toBe("approver carol-gh now resolves to mallory@example.com (was carol@example.com)");
    expect(diff.resources[0]!.fields).toEqual([expect.objectContaining({ field: "approvers.users", added: [{ login: "carol-gh", email: "mallory@example.com" }] })]);
  });

  it("flags an approver login that starts to count when added to people.yaml", () => {
    const before = side(DB, [alice, erin]);
    const diff = diffPolicies(before, side());
    expect(diff.resources[0]!.risks.map((r) => r.code)).toEqual(["approver_now_counts"]);
  });
});

describe("policy files", () => {
  it("accepts breakglass, review and standing members with review dates even before the schema knows them", () => {
    const catalog = `resources:
  db:
    description: DB
    scim: { target: aws, groups: [db] }
    duration: { default: 1h, max: 4h }
    approvers: { users: [carol-gh] }
    standing_members:
      - email: dana@example.com
        review_after: 2027-03-01
    breakglass: { max: 1h, review_within: 24h }
    review: { every: 90d, notice: 14d, on_missed: revoke }
`;
    const parsed = parsePolicyTexts({ catalog, people: null });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const db = parsed.policy.catalog.resources.db!;
    expect(db.breakglass).toEqual({ max: "1h", review_within: "24h" });
    expect(db.standing_members).toEqual([{ email: "dana@example.com", review_after: "2027-03-01" }]);
    expect(parsed.policy.people.people).toEqual([]);
  });

  it("reports an invalid file with its lines", () => {
    const parsed = parsePolicyTexts({ catalog: "resources: {}\n", people: "people:\n  - email: Alice@Example.com\n    github: alice-gh\n    mood: happy\n" });
    expect(parsed).toEqual({
      ok: false,
      file: "grants/people.yaml",
      problems: [{ line: 2, message: "people[0].email: emails are written in lower case" }, { line: 4, message: 'unknown key "people[0].mood" (check the spelling)' }],
    });
  });
});

describe("rendering", () => {
  const diff = diffPolicies(side(), side(withDb({ duration: { default: "1h", max: "8h" }, description: "<b>@acme/everyone</b> | `x`" })));

  it("starts with the marker and a summary line, and marks flags with ⚠️", () => {
    const md = renderDiffMarkdown(diff, { base: "main (abc1234)", head: "working tree" });
    expect(md.split("\n")[0]).toBe(DIFF_MARKER);
    expect(md).toContain("**⚠️ 1 resource changed, 1 risk flag**");
    expect(md).toContain("| `duration.max` | `4h` | `8h` |");
    expect(md).toContain("- ⚠️ `max_duration_up` max duration goes from 4h to 8h");
  });

  it("keeps policy text inside code spans (no HTML, mention or broken table)", () => {
    const md = renderDiffMarkdown(diff, { base: "a", head: "b" });
    expect(md).toContain("| `description` | `Read-only access to the production replica` | `` <b>@acme/everyone</b> \\| `x` `` |");
  });

  it("stays within GitHub's comment limit", () => {
    const many: Record<string, DiffResource> = {};
    for (let i = 0; i < 600; i += 1) many[`r${i}`] = DB;
    const md = renderDiffMarkdown(diffPolicies(EMPTY_POLICY, { catalog: { resources: many }, people: { people: PEOPLE } }), { base: "a", head: "b" });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    expect(md).toMatch(/more sections not shown/);
  });

  it("prints JSON with a fixed key order", () => {
    const json = JSON.parse(renderDiffJson(diff));
    expect(Object.keys(json)).toEqual(["resources", "people", "risks"]);
    expect(Object.keys(json.resources[0])).toEqual(["id", "change", "fields", "risks"]);
    expect(json.resources[0].fields[0]).toEqual({ field: "description", before: "Read-only access to the production replica", after: "<b>@acme/everyone</b> | `x`" });
    expect(json.resources[0].risks).toEqual([{ code: "max_duration_up", message: "max duration goes from 4h to 8h" }]);
    expect(json.risks).toBe(1);
  });
});
