/**
 * The READMEs point readers only at files in this repository: every relative Markdown link and
 * every repository path written in a code span (`src/...`, `grants/...`) exists, and nothing
 * points outside the repository (`../`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOP_LEVEL = /^(?:src|test|grants|grants-repo|bench|scripts|bin|\.github|\.ci)\/|^(?:LICENSE|package\.json|README\.md)$/;
/** Written at run time, not committed (.gitignore). */
const GENERATED = new Set(["bench/results.json"]);

function references(markdown: string): { links: string[]; paths: string[] } {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^(?:https?:|mailto:|#)/.test(l));
  const paths = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!.replace(/:\d+$/, "")).filter((p) => !/[<>*{}$…]/.test(p));
  return { links, paths };
}

describe.each([["README.md", ROOT], ["grants/README.md", ROOT]])("%s", (file, repoRoot) => {
  const text = readFileSync(join(ROOT, file), "utf8");
  const { links, paths } = references(text);

  it("links only files that exist in the repository", () => {
    for (const link of links) {
      expect(link, `${file} links outside the repository`).not.toMatch(/^\.\.\//);
      expect(existsSync(join(ROOT, dirname(file), link.split("#")[0]!)), `${file} links ${link}`).toBe(true);
    }
  });

  it("names only repository paths that exist", () => {
    expect(paths.filter((p) => p.startsWith("../")), `${file} points outside the repository`).toEqual([]);
    const missing = paths.filter((p) => TOP_LEVEL.test(p) && !GENERATED.has(p) && !existsSync(join(repoRoot, p)));
    expect(missing, `${file} names paths that do not exist`).toEqual([]);
  });
});

describe("grants-repo/README.md", () => {
  it("names only paths that exist in the template or in grantbot's repository", () => {
    const { links, paths } = references(readFileSync(join(ROOT, "grants-repo/README.md"), "utf8"));
    expect(links.filter((l) => !/^https:/.test(l))).toEqual([]);
    const missing = paths.filter((p) => TOP_LEVEL.test(p) && !existsSync(join(ROOT, "grants-repo", p)) && !existsSync(join(ROOT, p)));
    expect(missing).toEqual([]);
  });
});
