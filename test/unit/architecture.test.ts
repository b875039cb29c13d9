import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { checkFile, checkShippedFile, checkShippedTree, checkTree, PENDING_DEMO_MOVES } from "./architecture-rules.ts";

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

describe("what the package ships (src) stands on its own", () => {
  it("finds nothing under src that imports or reads test/, and src/demo loaded only by grantbot demo", () => {
    const violations = checkShippedTree(root);
    expect(violations.map((v) => `${v.file}:${v.line}: ${v.specifier} (${v.why})`)).toEqual([]);
  });

  it.each([
    ["src/cli/demo.ts", `({ runDemo } = await import("../../test/demo/run-demo.ts"));`, "src must not use test/"],
    ["src/adapters/x/y.ts", `import { FakeSlack } from "../../../test/fakes/fake-slack/index.ts";`, "src must not use test/"],
    ["src/demo/x.ts", `export { thing } from "../../test/fakes/other.ts";`, "src must not use test/"],
    ["src/demo/fake-github/openapi.ts", `const FIXTURE = new URL("../../../test/fixtures/github-openapi-subset.json", import.meta.url);`, "src must not use test/"],
    ["src/main.ts", `import { DemoWorld } from "./demo/world.ts";`, "only grantbot demo may load src/demo"],
    ["src/cli/serve.ts", `const m = await import("../demo/stand-ins.ts");`, "only grantbot demo may load src/demo"],
  ])("flags %s using %s", (file, source, why) => {
    const found = checkShippedFile(root, file, source);
    expect(found).toHaveLength(1);
    expect(found[0]!.why).toContain(why);
  });

  it("allows the demo command to load src/demo, and src/demo its own files", () => {
    expect(checkShippedFile(root, "src/cli/demo.ts", `const { runDemo } = await import("../demo/run-demo.ts");`)).toEqual([]);
    expect(checkShippedFile(root, "src/demo/world.ts", `import { FakeSlack } from "./fake-slack/index.ts";\nimport { loadConfig } from "../config/index.ts";`)).toEqual([]);
  });

  it("allows test/ only for the stand-ins still waiting to move, and only from src/demo/stand-ins.ts", () => {
    // The list only shrinks: it holds no more than these two, both through stand-ins.ts.
    for (const pending of PENDING_DEMO_MOVES) {
      expect(pending.from).toBe("src/demo/stand-ins.ts");
      expect(["test/fakes/fake-github/", "test/fakes/scim-server/"]).toContain(pending.to);
    }
    expect(checkShippedFile(root, "src/demo/world.ts", `import { FakeGitHub } from "../../test/fakes/fake-github/index.ts";`)).toHaveLength(1);
  });
});
