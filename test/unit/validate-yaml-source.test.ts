import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_ALIAS_EXPANSIONS, parseYamlWithPositions, parseYamlWithSchema } from "../../src/domain/yaml-source.ts";

const CATALOG = `# comment
resources:
  prod-db:
    duration: { default: 1h, max: 4h }
    approvers:
      users:
        - carol-gh
        - bob-gh
    groups:
      [a, b]
`;

/** Nine levels of nine aliases: 9^9 (~387 million) strings once expanded. */
function aliasBomb(levels = 9): string {
  const lines = [`l0: &l0 [${Array(9).fill('"lol"').join(", ")}]`];
  for (let i = 1; i < levels; i += 1) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

describe("parseYamlWithPositions", () => {
  it("maps a path to the line of its key", () => {
    const parsed = parseYamlWithPositions(CATALOG);
    if (!parsed.ok) throw new Error("expected valid YAML");
    expect(parsed.lineOf(["resources", "prod-db", "duration", "max"])).toBe(4);
    expect(parsed.lineOf(["resources", "prod-db", "approvers"])).toBe(5);
    expect(parsed.lineOf(["resources", "prod-db", "approvers", "users", 1])).toBe(8);
    expect(parsed.lineOf(["resources", "prod-db", "groups", 1])).toBe(10);
  });

  it("falls back to the nearest existing parent for a missing key", () => {
    const parsed = parseYamlWithPositions(CATALOG);
    if (!parsed.ok) throw new Error("expected valid YAML");
    expect(parsed.lineOf(["resources", "prod-db", "scim", "target"])).toBe(3);
    expect(parsed.lineOf(["resources", "prod-db", "approvers", "users", 7])).toBe(6);
    expect(parsed.lineOf(["nothing"])).toBe(2);
    expect(parsed.lineOf([])).toBe(2);
  });

  it("follows aliases when mapping a path", () => {
    const parsed = parseYamlWithPositions("base: &base\n  max: 4h\nprod:\n  duration: *base\n");
    if (!parsed.ok) throw new Error("expected valid YAML");
    expect(parsed.lineOf(["prod", "duration", "max"])).toBe(2);
  });

  it("reports a syntax error with the parser's line and without the code excerpt", () => {
    const parsed = parseYamlWithPositions("a: 1\nb: see: x\n");
    expect(parsed).toEqual({ ok: false, problems: [{ line: 2, message: "invalid YAML: Nested mappings are not allowed in compact mappings" }] });
  });

  it("refuses duplicate keys on the line of the second one", () => {
    const parsed = parseYamlWithPositions("duration: 1h\nreason: x\nduration: 8h\n");
    expect(parsed).toEqual({ ok: false, problems: [{ line: 3, message: "invalid YAML: Map keys must be unique" }] });
  });

  it("refuses a second document in the same file", () => {
    const parsed = parseYamlWithPositions("a: 1\n---\nb: 2\n");
    expect(parsed.ok).toBe(false);
  });

  it("fails fast on an alias bomb, naming the line of the first alias", () => {
    const started = performance.now();
    const parsed = parseYamlWithPositions(`id: x\n${aliasBomb()}`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(parsed).toEqual({
      ok: false,
      problems: [{
        line: 3,
        message: `refused: YAML aliases would expand more than ${MAX_ALIAS_EXPANSIONS} times (an alias bomb?); write the values out`,
      }],
    });
  });

  it("accepts a few aliases, as a catalog sharing approvers would use", () => {
    const parsed = parseYamlWithPositions("x: &dba { teams: [acme/dba] }\na: *dba\nb: *dba\nc: *dba\n");
    expect(parsed.ok && parsed.value).toEqual({ x: { teams: ["acme/dba"] }, a: { teams: ["acme/dba"] }, b: { teams: ["acme/dba"] }, c: { teams: ["acme/dba"] } });
  });

  it("keeps timestamps and ULIDs as strings", () => {
    const parsed = parseYamlWithPositions("id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5A\nrequested_at: 2026-11-22T10:00:00Z\n");
    expect(parsed.ok && parsed.value).toEqual({ id: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", requested_at: "2026-11-22T10:00:00Z" });
  });
});

describe("parseYamlWithSchema", () => {
  const schema = z.strictObject({ name: z.string(), size: z.number().int().max(10) });

  it("returns the parsed value when it matches the schema", () => {
    const parsed = parseYamlWithSchema("name: x\nsize: 3\n", schema);
    expect(parsed.ok && parsed.value).toEqual({ name: "x", size: 3 });
  });

  it("puts each schema issue on the line of its key, unknown keys on their own line", () => {
    const parsed = parseYamlWithSchema("# c\nsize: 30\ncolour: red\n", schema);
    expect(parsed).toEqual({
      ok: false,
      problems: [
        { line: 2, message: 'missing key "name"' },
        { line: 2, message: "size: Too big: expected number to be <=10" },
        { line: 3, message: 'unknown key "colour" (check the spelling)' },
      ],
    });
  });

  it("reports an empty file as not matching the schema on line 1", () => {
    const parsed = parseYamlWithSchema("", schema);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems[0]?.line).toBe(1);
  });
});
