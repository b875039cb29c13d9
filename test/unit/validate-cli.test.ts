import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli.ts";
import { validateCommand } from "../../src/cli/validate.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

function fakeIO(cwd: string): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd,
    env: {},
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
  };
  return io;
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the shipped grants/ and .github/ to break on purpose. */
function copyOfShippedTree(): string {
  const root = mkdtempSync(join(tmpdir(), "grantbot-validate-"));
  temps.push(root);
  cpSync(join(REPO, "grants"), join(root, "grants"), { recursive: true });
  cpSync(join(REPO, ".github"), join(root, ".github"), { recursive: true });
  return root;
}

describe("grantbot validate", () => {
  it("passes on the shipped example grants", async () => {
    const io = fakeIO(REPO);
    expect(await validateCommand(["grants"], io)).toBe(0);
    expect(io.out).toBe("grants OK: 4 resources, 6 people, 1 grants\n");
    expect(io.err).toBe("");
  });

  it("checks ./grants when no directory is given", async () => {
    const io = fakeIO(REPO);
    expect(await validateCommand([], io)).toBe(0);
  });

  it("prints every problem of the broken fixture as file:line: message and exits 1", async () => {
    const io = fakeIO(REPO);
    expect(await validateCommand(["test/fixtures/grants-broken/grants"], io)).toBe(1);
    const g = "test/fixtures/grants-broken/grants";
    const fix = "run `grantbot codeowners --write` and commit the result";
    expect(io.out.split("\n")).toEqual([
      `test/fixtures/grants-broken/.github/CODEOWNERS:2: out of date with grants/catalog.yaml; ${fix}`,
      `${g}/break-glass-admin/01JD2S3K7Q8R9T0V1W2X3Y4Z5E.yaml:2: duplicate grant id 01JD2S3K7Q8R9T0V1W2X3Y4Z5E: also in grants/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5E.yaml`,
      `${g}/break-glass-admin/01JD2S3K7Q8R9T0V1W2X3Y4Z5F.yaml:3: refused: YAML aliases would expand more than 100 times (an alias bomb?); write the values out`,
      `${g}/catalog.yaml:11: approver ghost-gh is not in people.yaml: their approvals would not count`,
      `${g}/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml:5: duration 8h is above prod-db-readonly's max 4h`,
      `${g}/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5B.yaml:2: grant is in folder prod-db-readonly but its resource is break-glass-admin`,
      `${g}/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5D.yaml:6: invalid YAML: Nested mappings are not allowed in compact mappings`,
      `${g}/prod-db-readonly/01JD2S3K7Q8R9T0V1W2X3Y4Z5E.yaml:2: duplicate grant id 01JD2S3K7Q8R9T0V1W2X3Y4Z5E: also in grants/break-glass-admin/01JD2S3K7Q8R9T0V1W2X3Y4Z5E.yaml`,
      `${g}/staging-db/01JD2S3K7Q8R9T0V1W2X3Y4Z5C.yaml:2: unknown resource staging-db: it is not in grants/catalog.yaml`,
      "9 problems",
      "",
    ]);
  });

  it("prints paths relative to the current directory", async () => {
    const io = fakeIO(join(REPO, "test", "fixtures"));
    expect(await validateCommand(["grants-broken/grants"], io)).toBe(1);
    expect(io.out).toContain("grants-broken/grants/catalog.yaml:11: approver ghost-gh");
  });

  it("reports a CODEOWNERS that was not regenerated after an approver change", async () => {
    const root = copyOfShippedTree();
    const catalog = join(root, "grants", "catalog.yaml");
    writeFileSync(catalog, readFileSync(catalog, "utf8").replace("teams: [acme/sre]", "teams: [acme/sre, acme/security]"));
    const io = fakeIO(root);
    expect(await validateCommand(["grants"], io)).toBe(1);
    expect(io.out).toMatch(/^\.github\/CODEOWNERS:\d+: out of date with grants\/catalog\.yaml; run `grantbot codeowners --write`/);
    expect(io.out).toMatch(/\n1 problem\n$/);
  });

  it("reports a missing CODEOWNERS", async () => {
    const root = copyOfShippedTree();
    rmSync(join(root, ".github", "CODEOWNERS"));
    const io = fakeIO(root);
    expect(await validateCommand(["grants"], io)).toBe(1);
    expect(io.out).toMatch(/^\.github\/CODEOWNERS:1: missing/);
  });

  it("exits 2 when the directory cannot be read", async () => {
    const io = fakeIO(REPO);
    expect(await validateCommand(["does-not-exist"], io)).toBe(2);
    expect(io.err).toMatch(/cannot read grants directory .*does-not-exist: ENOENT/);
    expect(io.out).toBe("");
  });

  it("exits 2 and suggests the grants folder when given the repository root", async () => {
    const io = fakeIO(REPO);
    expect(await validateCommand(["test/fixtures/grants-broken"], io)).toBe(2);
    expect(io.err).toContain("did you mean test/fixtures/grants-broken/grants?");
  });

  it.each([[["--strict"]], [["a", "b"]]])("exits 2 on a usage error (%j)", async (args) => {
    const io = fakeIO(REPO);
    expect(await validateCommand(args, io)).toBe(2);
    expect(io.err).toContain("usage: grantbot validate [dir]");
  });

  it("prints its usage with --help", async () => {
    const io = fakeIO(REPO);
    expect(await validateCommand(["--help"], io)).toBe(0);
    expect(io.out).toContain("usage: grantbot validate [dir]");
  });
});
