import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GrantsDirError, readGrantsDir, readGrantsTree } from "../../src/adapters/files/grants-dir.ts";

let root: string;
let grants: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "grantbot-grants-dir-"));
  grants = join(root, "grants");
  mkdirSync(join(grants, "prod-db"), { recursive: true });
  writeFileSync(join(grants, "catalog.yaml"), "resources: {}\n");
  writeFileSync(join(grants, "prod-db", "01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml"), "id: x\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("readGrantsDir", () => {
  it("reads files recursively with repository paths, sorted", () => {
    const contents = readGrantsDir(grants);
    expect(contents.files).toEqual([
      { path: "grants/catalog.yaml", text: "resources: {}\n" },
      { path: "grants/prod-db/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml", text: "id: x\n" },
    ]);
    expect(contents.problems).toEqual([]);
  });

  it("names files grants/... whatever the directory is called", () => {
    const other = join(root, "policy");
    mkdirSync(other);
    writeFileSync(join(other, "people.yaml"), "people: []\n");
    expect(readGrantsDir(other).files.map((f) => f.path)).toEqual(["grants/people.yaml"]);
  });

  it("reads .github/CODEOWNERS next to the grants directory, or null when absent", () => {
    expect(readGrantsDir(grants).codeowners).toBeNull();
    mkdirSync(join(root, ".github"));
    writeFileSync(join(root, ".github", "CODEOWNERS"), "* @acme/platform\n");
    expect(readGrantsDir(grants).codeowners).toBe("* @acme/platform\n");
  });

  it("refuses a symbolic link instead of following it", () => {
    writeFileSync(join(root, "secret.yaml"), "id: leaked\n");
    symlinkSync(join(root, "secret.yaml"), join(grants, "prod-db", "link.yaml"));
    const contents = readGrantsDir(grants);
    expect(contents.files.map((f) => f.path)).not.toContain("grants/prod-db/link.yaml");
    expect(contents.problems).toEqual([
      { file: "grants/prod-db/link.yaml", line: 1, message: "symbolic links are not allowed in grants/ (replace it with the file)" },
    ]);
  });

  it("refuses a file over the size limit as a problem", () => {
    writeFileSync(join(grants, "people.yaml"), "x".repeat(2048));
    const contents = readGrantsDir(grants, { maxFileBytes: 1024, maxFiles: 100 });
    expect(contents.problems).toEqual([{ file: "grants/people.yaml", line: 1, message: "file is 2048 bytes; the limit is 1024" }]);
    expect(contents.files.map((f) => f.path)).not.toContain("grants/people.yaml");
  });

  it("refuses a 1 MiB+1 file with the default limits", () => {
    writeFileSync(join(grants, "people.yaml"), Buffer.alloc(1024 * 1024 + 1, 0x61));
    expect(readGrantsDir(grants).problems.map((p) => p.file)).toEqual(["grants/people.yaml"]);
  });

  it("reports a YAML file that is not UTF-8", () => {
    writeFileSync(join(grants, "people.yaml"), Buffer.from([0x70, 0xff, 0xfe, 0x0a]));
    expect(readGrantsDir(grants).problems).toEqual([{ file: "grants/people.yaml", line: 1, message: "not valid UTF-8 text" }]);
  });

  it("refuses to read a tree with more files than the limit", () => {
    for (let i = 0; i < 5; i += 1) writeFileSync(join(grants, `f${i}.txt`), "");
    expect(() => readGrantsDir(grants, { maxFileBytes: 1024, maxFiles: 6 })).toThrow(/more than 6 files/);
  });

  it("throws GrantsDirError for a directory that does not exist", () => {
    expect(() => readGrantsDir(join(root, "nope"))).toThrow(GrantsDirError);
  });
});

describe("readGrantsTree", () => {
  it("returns the files of a clean tree", () => {
    expect(readGrantsTree(grants)).toHaveLength(2);
  });

  it("throws when any file was refused", () => {
    symlinkSync("/etc/hostname", join(grants, "people.yaml"));
    expect(() => readGrantsTree(grants)).toThrow(/grants\/people\.yaml: symbolic links/);
  });
});
