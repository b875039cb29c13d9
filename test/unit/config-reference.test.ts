import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_VARS } from "../../src/config/env-schema.ts";
import { extractReferenceBlock, REGENERATE_COMMAND, renderConfigReference, replaceReferenceBlock } from "../../src/config/reference.ts";
import { README_PATH } from "../../src/config/write-reference.ts";

describe("configuration reference", () => {
  it("in README.md matches the schemas", () => {
    const block = extractReferenceBlock(fs.readFileSync(README_PATH, "utf8"));
    expect(block, "README.md lacks the <!-- config:start --> / <!-- config:end --> markers").toBeDefined();
    expect(block, `README.md's configuration reference is out of date; regenerate it with \`${REGENERATE_COMMAND}\``).toBe(renderConfigReference());
  });

  it("documents every environment variable and every file key", () => {
    const reference = renderConfigReference();
    for (const name of ENV_VARS) expect(reference).toContain(`| \`${name}\` |`);
    for (const key of ["scim.targets[].token", "scim.targets[].max_concurrency", "directory.poll_interval", "reconcile_interval", "job_retry.max"]) {
      expect(reference).toContain(`| \`${key}\` |`);
    }
  });

  it("rewrites only the block between the markers", () => {
    const readme = "# t\n\nbefore\n<!-- config:start -->\nold\n<!-- config:end -->\nafter\n";
    expect(replaceReferenceBlock(readme, "new")).toBe("# t\n\nbefore\n<!-- config:start -->\nnew\n<!-- config:end -->\nafter\n");
    expect(() => replaceReferenceBlock("# t\n", "new")).toThrow(/markers/);
  });
});
