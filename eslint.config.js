// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const SDKS = ["@slack/*", "@octokit/*", "better-sqlite3", "jose", "node-cron", "pino", "prom-client", "scimmy", "scimmy-routers", "express", "raw-body", "ulid"];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "data/**", "coverage/**", "test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", URL: "readonly", Buffer: "readonly", fetch: "readonly", AbortSignal: "readonly", queueMicrotask: "readonly", NodeJS: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // Fakes (and the demo's stand-ins, which are the same code) handle free-form JSON on purpose.
    files: ["test/**/*.ts", "src/demo/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: [...SDKS, "node:fs", "node:http", "**/services/**", "**/adapters/**", "**/config/**", "**/shared/**", "**/cli*", "**/main*"], message: "domain is pure: no SDK, no I/O, no outer layer" }] }],
    },
  },
  {
    files: ["src/services/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: [...SDKS, "**/adapters/**", "**/config/**", "**/cli*", "**/main*"], message: "services talk to the outside through ports.ts only" }] }],
    },
  },
);
