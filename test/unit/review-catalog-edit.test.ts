import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { catalogSchema } from "../../src/domain/grant-files.ts";
import { editStandingMembers } from "../../src/domain/review-catalog-edit.ts";

const TEXT = `# head comment
resources:
  db:
    description: x
    duration: { default: 1h, max: 4h } # trailing
    standing_members:
      - dana@example.com   # the DBA
      - email: erin@example.com
        review_after: 2026-12-01
      - "frank@example.com"
    review: { every: 90d, notice: 14d, on_missed: revoke }
  wh:
    description: "y"
    standing_members: [gus@example.com, { email: hal@example.com, review_after: 2026-02-02 }] # flow
  ops:
    standing_members:
      - ian@example.com
    enforce: true
`;

const edit = (resource: string, moves: Record<string, string>, removals: string[] = [], text = TEXT) =>
  editStandingMembers(text, resource, { moves: new Map(Object.entries(moves)), removals: new Set(removals) });

const changedLines = (before: string, after: string) => {
  const a = before.split("\n");
  const b = after.split("\n");
  return { removed: a.filter((l) => !b.includes(l)), added: b.filter((l) => !a.includes(l)) };
};

describe("editing standing members in catalog.yaml", () => {
  it("moves dates and deletes lines, touching nothing else", () => {
    const out = edit("db", { "dana@example.com": "2027-03-01", "erin@example.com": "2027-03-01" }, ["frank@example.com"]);
    expect(changedLines(TEXT, out)).toEqual({
      removed: ["      - dana@example.com   # the DBA", "        review_after: 2026-12-01", '      - "frank@example.com"'],
      added: ["      - email: dana@example.com", "        review_after: 2027-03-01   # the DBA", "        review_after: 2027-03-01"],
    });
    expect((parse(out) as { resources: { db: { standing_members: unknown[] } } }).resources.db.standing_members).toEqual([
      { email: "dana@example.com", review_after: "2027-03-01" },
      { email: "erin@example.com", review_after: "2027-03-01" },
    ]);
  });

  it("deletes a member written as a map, in the middle of the list, and its whole entry only", () => {
    const text = "resources:\n  db:\n    standing_members:\n      - email: bob@example.com\n        review_after: 2027-03-12\n      - email: dave@example.com\n        review_after: 2027-02-05\n      - alice@example.com\n    review: { every: 90d, notice: 14d }\n";
    expect(edit("db", {}, ["bob@example.com"], text)).toBe(text.replace("      - email: bob@example.com\n        review_after: 2027-03-12\n", ""));
    expect(edit("db", {}, ["dave@example.com"], text)).toBe(text.replace("      - email: dave@example.com\n        review_after: 2027-02-05\n", ""));
    expect(edit("db", { "dave@example.com": "2027-05-06" }, ["alice@example.com"], text)).toBe(text.replace("2027-02-05", "2027-05-06").replace("      - alice@example.com\n", ""));
  });

  it("rewrites a flow list as a block list", () => {
    const out = edit("wh", { "gus@example.com": "2027-01-01" }, ["hal@example.com"]);
    expect(out).toContain("    standing_members:\n      - email: gus@example.com\n        review_after: 2027-01-01 # flow\n  ops:");
  });

  it.each([
    ["a block list", "ops", ["ian@example.com"], "    standing_members: []\n    enforce: true"],
    ["a flow list", "wh", ["gus@example.com", "hal@example.com"], "    standing_members: [] # flow"],
  ])("empties %s as []", (_what, resource, removals, expected) => {
    expect(edit(resource, {}, removals)).toContain(expected);
  });

  it("is idempotent: applying the same edit again changes nothing", () => {
    const once = edit("db", { "dana@example.com": "2027-03-01" }, ["frank@example.com"]);
    expect(edit("db", { "dana@example.com": "2027-03-01" }, ["frank@example.com"], once)).toBe(once);
    expect(edit("db", { "nobody@example.com": "2027-03-01" }, ["nobody@example.com"])).toBe(TEXT);
  });

  it("refuses a resource that does not exist", () => {
    expect(() => edit("nope", { "dana@example.com": "2027-03-01" })).toThrow(/no resource nope/);
  });

  it("edits the repository's own catalog into one that still validates", () => {
    const repo = readFileSync(new URL("../../grants/catalog.yaml", import.meta.url), "utf8");
    const withMembers = repo.replace("    standing_members: []\n\n  snowflake-analyst", "    standing_members:\n      - bob@example.com\n      - carol@example.com\n    review: { every: 90d, notice: 14d }\n\n  snowflake-analyst");
    expect(withMembers).not.toBe(repo);
    const out = edit("prod-db-readonly", { "bob@example.com": "2027-03-01" }, ["carol@example.com"], withMembers);
    const parsed = catalogSchema.parse(parse(out));
    expect(parsed.resources["prod-db-readonly"]!.standing_members).toEqual([{ email: "bob@example.com", review_after: "2027-03-01" }]);
    expect(changedLines(withMembers, out).removed).toEqual(["      - bob@example.com", "      - carol@example.com"]);
  });
});
