import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli.ts";
import { codeownersCommand } from "../../src/cli/codeowners.ts";
import { validateCommand } from "../../src/cli/validate.ts";
import {
  CODEOWNERS_BEGIN,
  CODEOWNERS_END,
  extractCodeownersBlock,
  findCodeownersBlock,
  renderCodeowners,
  spliceCodeowners,
} from "../../src/domain/codeowners.ts";
import { catalogSchema, type Catalog } from "../../src/domain/grant-files.ts";
import { parseYamlWithSchema } from "../../src/domain/yaml-source.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

function approvers(teams: string[], users: string[] = []): Catalog["resources"][string] {
  return { approvers: { teams, users, min: 1 } } as unknown as Catalog["resources"][string];
}

const CATALOG = {
  resources: {
    "snowflake-analyst": approvers(["acme/data-platform"]),
    "prod-db-readonly": approvers(["acme/dba"], ["carol-gh", "bob-gh", "Carol-GH"]),
    "break-glass-admin": approvers(["acme/sre"]),
  },
} as Catalog;

const BLOCK = `${CODEOWNERS_BEGIN}
/grants/break-glass-admin/ @acme/sre
/grants/prod-db-readonly/ @acme/dba @bob-gh @carol-gh
/grants/snowflake-analyst/ @acme/data-platform
${CODEOWNERS_END}
`;

describe("renderCodeowners", () => {
  it("writes one line per resource, sorted, teams before users, duplicates dropped", () => {
    expect(renderCodeowners(CATALOG)).toBe(BLOCK);
  });

  it("writes just the markers for an empty catalog", () => {
    expect(renderCodeowners({ resources: {} })).toBe(`${CODEOWNERS_BEGIN}\n${CODEOWNERS_END}\n`);
  });
});

describe("spliceCodeowners", () => {
  const HAND = "# owners\n* @acme/platform\n/grants/catalog.yaml @acme/security\n";

  it("creates the file from the block when there is none", () => {
    expect(spliceCodeowners(null, BLOCK)).toBe(BLOCK);
  });

  it("appends the block after the hand-written lines, so it wins (last match)", () => {
    expect(spliceCodeowners(HAND, BLOCK)).toBe(`${HAND}\n${BLOCK}`);
  });

  it("replaces only the block and keeps every other line byte for byte", () => {
    const stale = `${HAND}${CODEOWNERS_BEGIN}\n/grants/old/ @acme/old\n${CODEOWNERS_END}\n# trailing note\n/docs/ @acme/docs\n`;
    expect(spliceCodeowners(stale, BLOCK)).toBe(`${HAND}${BLOCK}# trailing note\n/docs/ @acme/docs\n`);
  });

  it("round-trips: the spliced block extracts to exactly the rendered block, and splicing again changes nothing", () => {
    const once = spliceCodeowners(HAND, renderCodeowners(CATALOG));
    expect(extractCodeownersBlock(once)).toBe(renderCodeowners(CATALOG));
    expect(spliceCodeowners(once, renderCodeowners(CATALOG))).toBe(once);
  });

  it("keeps Windows line endings of an existing file", () => {
    const crlf = HAND.replace(/\n/g, "\r\n");
    const spliced = spliceCodeowners(crlf, BLOCK);
    expect(spliced).toBe(`${crlf}\r\n${BLOCK.replace(/\n/g, "\r\n")}`);
    expect(extractCodeownersBlock(spliced)).toBe(BLOCK);
  });

  it("refuses to guess when a BEGIN marker has no END marker", () => {
    expect(() => spliceCodeowners(`${HAND}${CODEOWNERS_BEGIN}\n/grants/x/ @a/b\n`, BLOCK)).toThrow(/without "# END grantbot"/);
  });
});

describe("findCodeownersBlock", () => {
  it("locates the block by its marker lines", () => {
    expect(findCodeownersBlock(`a\nb\n${BLOCK}c\n`)).toEqual({ block: BLOCK, startLine: 3, endLine: 7 });
  });

  it("returns null when there is no block", () => {
    expect(findCodeownersBlock("* @acme/platform\n")).toBeNull();
  });
});

describe("the shipped .github/CODEOWNERS", () => {
  it("is up to date with grants/catalog.yaml (run `npm run grantbot -- codeowners --write` after changing approvers)", () => {
    const parsed = parseYamlWithSchema(readFileSync(join(REPO, "grants", "catalog.yaml"), "utf8"), catalogSchema);
    if (!parsed.ok) throw new Error(`grants/catalog.yaml is invalid: ${JSON.stringify(parsed.problems)}`);
    const shipped = readFileSync(join(REPO, ".github", "CODEOWNERS"), "utf8");
    expect(extractCodeownersBlock(shipped)).toBe(renderCodeowners(parsed.value));
  });
});

describe("grantbot codeowners", () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function fakeIO(cwd: string): CliIO & { out: string; err: string } {
    const io = { out: "", err: "", cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    return io;
  }

  function repoWithoutCodeowners(): string {
    const root = mkdtempSync(join(tmpdir(), "grantbot-codeowners-"));
    temps.push(root);
    cpSync(join(REPO, "grants"), join(root, "grants"), { recursive: true });
    return root;
  }

  it("prints the block generated from the catalog", async () => {
    const io = fakeIO(REPO);
    expect(await codeownersCommand([], io)).toBe(0);
    expect(io.out).toBe(extractCodeownersBlock(readFileSync(join(REPO, ".github", "CODEOWNERS"), "utf8")));
  });

  it("writes .github/CODEOWNERS with --write, after which validate passes and a second write is a no-op", async () => {
    const root = repoWithoutCodeowners();
    const io = fakeIO(root);
    expect(await codeownersCommand(["--write"], io)).toBe(0);
    expect(io.out).toBe("wrote .github/CODEOWNERS\n");
    expect(existsSync(join(root, ".github", "CODEOWNERS"))).toBe(true);
    expect(await validateCommand(["grants"], fakeIO(root))).toBe(0);
    const again = fakeIO(root);
    expect(await codeownersCommand(["--write", "--dir", "grants"], again)).toBe(0);
    expect(again.out).toBe(".github/CODEOWNERS is up to date\n");
  });

  it("keeps the operators' lines when it rewrites the block", async () => {
    const root = repoWithoutCodeowners();
    mkdirSync(join(root, ".github"));
    writeFileSync(join(root, ".github", "CODEOWNERS"), `* @acme/platform\n${CODEOWNERS_BEGIN}\n/grants/gone/ @acme/x\n${CODEOWNERS_END}\n`);
    expect(await codeownersCommand(["--write"], fakeIO(root))).toBe(0);
    const written = readFileSync(join(root, ".github", "CODEOWNERS"), "utf8");
    expect(written.startsWith(`* @acme/platform\n${CODEOWNERS_BEGIN}\n/grants/break-glass-admin/`)).toBe(true);
    expect(written).not.toContain("/grants/gone/");
  });

  it("exits 1 with the catalog's problems when the catalog is invalid", async () => {
    const root = repoWithoutCodeowners();
    writeFileSync(join(root, "grants", "catalog.yaml"), "resources:\n  x:\n    description: d\n");
    const io = fakeIO(root);
    expect(await codeownersCommand(["--write"], io)).toBe(1);
    expect(io.err).toContain('grants/catalog.yaml:2: missing key "resources.x.scim"');
    expect(existsSync(join(root, ".github", "CODEOWNERS"))).toBe(false);
  });

  it.each([[["--dir"]], [["--force"]]])("exits 2 on a usage error (%j)", async (args) => {
    const io = fakeIO(REPO);
    expect(await codeownersCommand(args, io)).toBe(2);
    expect(io.err).toContain("usage: grantbot codeowners");
  });

  it("exits 2 when the catalog cannot be read", async () => {
    const io = fakeIO(REPO);
    expect(await codeownersCommand(["--dir", "nope"], io)).toBe(2);
  });
});
