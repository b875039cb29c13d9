import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { checkFile, checkTree } from "./architecture-rules.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("dependency direction (domain <- services <- adapters <- main)", () => {
  it("finds no SDK or adapter import in src/domain and src/services", () => {
    const violations = checkTree(root);
    expect(violations.map((v) => `${v.file}:${v.line}: ${v.specifier} (${v.why})`)).toEqual([]);
  });

  it.each([
    ["src/domain/x.ts", `import { WebClient } from "@slack/web-api";`, "SDK @slack/"],
    ["src/domain/x.ts", `import Database from "better-sqlite3";`, "SDK better-sqlite3"],
    ["src/services/x.ts", `import { SignJWT } from "jose";`, "SDK jose"],
    ["src/services/x.ts", `import { Octokit } from "@octokit/rest";`, "SDK @octokit/"],
    ["src/services/x.ts", `import { ScimGroupDirectory } from "../adapters/scim/scim-group-directory.ts";`, "src/adapters"],
    ["src/domain/x.ts", `import type { Deps } from "../services/deps.ts";`, "src/services"],
    ["src/domain/x.ts", `import { readFileSync } from "node:fs";`, "I/O"],
    ["src/services/x.ts", `const m = await import("../adapters/sqlite/open-store.ts");`, "src/adapters"],
    ["src/services/x.ts", `export { x } from "../main.ts";`, "src/main"],
  ])("flags %s importing %s", (file, source, why) => {
    const found = checkFile(root, file, source);
    expect(found).toHaveLength(1);
    expect(found[0]!.why).toContain(why);
  });

  it("allows domain -> domain, services -> domain and services -> shared", () => {
    expect(checkFile(root, "src/services/x.ts", `import { a } from "../domain/grant.ts";\nimport { b } from "../shared/backoff.ts";\nimport { z } from "zod";`)).toEqual([]);
    expect(checkFile(root, "src/domain/x.ts", `import { a } from "./grant.ts";\nimport { parse } from "yaml";`)).toEqual([]);
  });
});
