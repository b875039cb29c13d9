import { describe, expect, it } from "vitest";
import { renderCodeowners } from "../../src/domain/codeowners.ts";
import { validateGrantsTree, type SourceFile } from "../../src/domain/grants-validation.ts";

const CATALOG = `resources:
  prod-db-readonly:
    description: Read-only access to the replica
    scim: { target: aws, groups: [prod-db-readonly] }
    duration: { default: 1h, max: 4h, min: 15m }
    approvers:
      teams: [acme/dba]
      users: [carol-gh]
      min: 1
  snowflake-analyst:
    description: Analyst role
    scim: { target: snowflake, groups: [ANALYST] }
    duration: { default: 4h, max: 1d }
    approvers: { teams: [acme/data-platform] }
`;
const PEOPLE = `people:
  - email: alice@example.com
    github: alice-gh
  - email: carol@example.com
    github: carol-gh
`;
const CODEOWNERS = `* @acme/platform\n${renderCodeowners({
  resources: {
    "prod-db-readonly": { approvers: { teams: ["acme/dba"], users: ["carol-gh"], min: 1 } },
    "snowflake-analyst": { approvers: { teams: ["acme/data-platform"], users: [], min: 1 } },
  },
} as never)}`;

const ID_A = "01JD2S3K7Q8R9T0V1W2X3Y4Z5A";
const ID_B = "01JD2S3K7Q8R9T0V1W2X3Y4Z5B";

function grantText(fields: Record<string, string> = {}): string {
  const all = {
    id: ID_A,
    resource: "prod-db-readonly",
    subject: "alice@example.com",
    requester: "alice@example.com",
    duration: "2h",
    reason: "INC-1234 investigate replica lag",
    requested_at: "2026-11-22T10:00:00Z",
    ...fields,
  };
  return Object.entries(all).map(([k, v]) => `${k}: ${v}`).join("\n") + "\n";
}

function tree(extra: SourceFile[] = [], base: { catalog?: string; people?: string } = {}): SourceFile[] {
  return [
    { path: "grants/catalog.yaml", text: base.catalog ?? CATALOG },
    { path: "grants/people.yaml", text: base.people ?? PEOPLE },
    ...extra,
  ];
}

const grantAt = (folder: string, id: string, fields: Record<string, string> = {}): SourceFile => ({
  path: `grants/${folder}/${id}.yaml`,
  text: grantText({ id, ...fields }),
});

describe("validateGrantsTree", () => {
  it("accepts a consistent tree with an up-to-date CODEOWNERS", () => {
    const files = tree([grantAt("prod-db-readonly", ID_A), { path: "grants/README.md", text: "# hi" }]);
    expect(validateGrantsTree({ files, codeowners: CODEOWNERS })).toEqual([]);
  });

  it.each([
    ["an unknown resource", "staging-db", { resource: "staging-db" }, 2, "unknown resource staging-db: it is not in grants/catalog.yaml"],
    ["a duration above the resource's max", "prod-db-readonly", { duration: "8h" }, 5, "duration 8h is above prod-db-readonly's max 4h"],
    ["a duration below the resource's min", "prod-db-readonly", { duration: "10m" }, 5, "duration 10m is below prod-db-readonly's min 15m"],
    ["a grant filed in another resource's folder", "prod-db-readonly", { resource: "snowflake-analyst" }, 2, "grant is in folder prod-db-readonly but its resource is snowflake-analyst"],
    ["a long-form duration", "prod-db-readonly", { duration: "PT2H" }, 5, "duration: grant files use the short form of a duration: 90s, 30m, 4h or 1d"],
    ["an upper-case subject", "prod-db-readonly", { subject: "Alice@example.com" }, 3, "subject: emails are written in lower case"],
    ["an unknown key", "prod-db-readonly", { expires: "never" }, 8, 'unknown key "expires" (check the spelling)'],
  ])("reports %s on the line to edit", (_name, folder, fields, line, message) => {
    const file = grantAt(folder, ID_A, fields);
    expect(validateGrantsTree({ files: tree([file]) })).toEqual([{ file: file.path, line, message }]);
  });

  it("reports a missing key of a grant on the file's first line", () => {
    const file = { path: `grants/prod-db-readonly/${ID_A}.yaml`, text: grantText().replace(/^reason:.*\n/m, "") };
    expect(validateGrantsTree({ files: tree([file]) })).toEqual([{ file: file.path, line: 1, message: 'missing key "reason"' }]);
  });

  it("reports a file name that does not match the grant id", () => {
    const file = { path: "grants/prod-db-readonly/request.yaml", text: grantText() };
    expect(validateGrantsTree({ files: tree([file]) })).toEqual([
      { file: file.path, line: 1, message: `file name request.yaml does not match the grant id; name it ${ID_A}.yaml` },
    ]);
  });

  it("reports malformed YAML on the parser's line", () => {
    const file = { path: `grants/prod-db-readonly/${ID_A}.yaml`, text: grantText({ reason: "see: INC-1" }) };
    expect(validateGrantsTree({ files: tree([file]) })).toEqual([
      { file: file.path, line: 6, message: "invalid YAML: Nested mappings are not allowed in compact mappings" },
    ]);
  });

  it("reports a duplicate grant id in both files", () => {
    const a = grantAt("prod-db-readonly", ID_A);
    const b = grantAt("snowflake-analyst", ID_A, { resource: "snowflake-analyst" });
    expect(validateGrantsTree({ files: tree([a, b]) })).toEqual([
      { file: a.path, line: 1, message: `duplicate grant id ${ID_A}: also in ${b.path}` },
      { file: b.path, line: 1, message: `duplicate grant id ${ID_A}: also in ${a.path}` },
    ]);
  });

  it("accepts an extension of a grant of the same resource and subject", () => {
    const files = tree([grantAt("prod-db-readonly", ID_A), grantAt("prod-db-readonly", ID_B, { extends: ID_A })]);
    expect(validateGrantsTree({ files })).toEqual([]);
  });

  it.each([
    ["a grant that does not exist", [], `extends ${ID_A}, which is not a grant in grants/`],
    ["a grant of another resource", [grantAt("snowflake-analyst", ID_A, { resource: "snowflake-analyst" })],
      `extends ${ID_A}, a grant of snowflake-analyst: an extension must be for the same resource`],
    ["a grant for another subject", [grantAt("prod-db-readonly", ID_A, { subject: "carol@example.com" })],
      `extends ${ID_A}, a grant for carol@example.com: an extension must be for the same subject`],
  ])("reports an extension of %s", (_name, others: SourceFile[], message) => {
    const ext = grantAt("prod-db-readonly", ID_B, { extends: ID_A });
    expect(validateGrantsTree({ files: tree([...others, ext]) })).toEqual([{ file: ext.path, line: 8, message }]);
  });

  it("reports an approver missing from people.yaml on the line of the login", () => {
    const catalog = CATALOG.replace("users: [carol-gh]", "users:\n        - carol-gh\n        - ghost-gh");
    expect(validateGrantsTree({ files: tree([], { catalog }) })).toEqual([
      { file: "grants/catalog.yaml", line: 10, message: "approver ghost-gh is not in people.yaml: their approvals would not count" },
    ]);
  });

  it("reports a standing member missing from people.yaml", () => {
    const catalog = CATALOG.replace("      min: 1\n", "      min: 1\n    standing_members: [dba-bot@example.com]\n");
    expect(validateGrantsTree({ files: tree([], { catalog }) })).toEqual([
      { file: "grants/catalog.yaml", line: 10, message: "standing member dba-bot@example.com of prod-db-readonly is not in people.yaml" },
    ]);
  });

  it("reports a SCIM target that is not configured, only when targets are given", () => {
    expect(validateGrantsTree({ files: tree(), targets: ["aws"] })).toEqual([
      { file: "grants/catalog.yaml", line: 12, message: "SCIM target snowflake is not in GRANTBOT_CONFIG (known: aws)" },
    ]);
    expect(validateGrantsTree({ files: tree() })).toEqual([]);
  });

  it("reports a catalog schema error on the line of the key", () => {
    const catalog = CATALOG.replace("max: 4h, min", "max: 4x, min").replace("approvers: { teams", "aprovers: { teams");
    expect(validateGrantsTree({ files: tree([], { catalog }) })).toEqual([
      { file: "grants/catalog.yaml", line: 5, message: 'resources.prod-db-readonly.duration.max: "4x" is not a duration; expected a duration such as 90s, 30m, 4h, 1d, 1h30m or ISO 8601 PT4H' },
      { file: "grants/catalog.yaml", line: 10, message: 'missing key "resources.snowflake-analyst.approvers"' },
      { file: "grants/catalog.yaml", line: 14, message: 'unknown key "resources.snowflake-analyst.aprovers" (check the spelling)' },
    ]);
  });

  it("reports people listed twice with the line of the first entry", () => {
    const people = `${PEOPLE}  - email: alice@example.com\n    github: Carol-GH\n`;
    expect(validateGrantsTree({ files: tree([], { people }) })).toEqual([
      { file: "grants/people.yaml", line: 6, message: "email alice@example.com is listed twice (also on line 2)" },
      { file: "grants/people.yaml", line: 7, message: "GitHub login Carol-GH is listed twice (also on line 5)" },
    ]);
  });

  it("reports a missing catalog and people file", () => {
    expect(validateGrantsTree({ files: [] })).toEqual([
      { file: "grants/catalog.yaml", line: 1, message: "missing: the catalog lists the resources that can be requested" },
      { file: "grants/people.yaml", line: 1, message: "missing: people.yaml maps emails to GitHub logins; without it no approval counts" },
    ]);
  });

  it("reports YAML files outside the layout and ignores other files", () => {
    const files = tree([
      { path: "grants/catalog.yml", text: "resources: {}\n" },
      { path: `grants/prod-db-readonly/old/${ID_A}.yaml`, text: grantText() },
      { path: "grants/prod-db-readonly/.gitkeep", text: "" },
      { path: "grants/README.md", text: "key: [unclosed" },
    ]);
    expect(validateGrantsTree({ files }).map((p) => p.file)).toEqual(["grants/catalog.yml", `grants/prod-db-readonly/old/${ID_A}.yaml`]);
  });

  it.each([
    ["is out of date", "* @acme/platform\n# BEGIN grantbot (generated from grants/catalog.yaml; do not edit)\n/grants/prod-db-readonly/ @acme/dba\n# END grantbot\n", 2,
      "out of date with grants/catalog.yaml; run `grantbot codeowners --write` and commit the result"],
    ["has no generated block", "* @acme/platform\n", 1, "has no grantbot block; run `grantbot codeowners --write` and commit the result"],
    ["has lost its END line", CODEOWNERS.replace("# END grantbot\n", ""), 1,
      "has a grantbot block without its END line; run `grantbot codeowners --write` and commit the result"],
    ["is missing", null, 1, "missing: reviews would not be requested from each resource's approvers; run `grantbot codeowners --write` and commit the result"],
  ])("reports a CODEOWNERS that %s", (_name, codeowners, line, message) => {
    expect(validateGrantsTree({ files: tree(), codeowners })).toEqual([{ file: ".github/CODEOWNERS", line, message }]);
  });

  it("sorts problems by file, then line", () => {
    const files = tree([grantAt("zeta", ID_B, { resource: "zeta", duration: "1x" }), grantAt("prod-db-readonly", ID_A, { duration: "9h" })]);
    const problems = validateGrantsTree({ files, codeowners: "" });
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual([
      ".github/CODEOWNERS:1",
      `grants/prod-db-readonly/${ID_A}.yaml:5`,
      `grants/zeta/${ID_B}.yaml:5`,
    ]);
  });
});
