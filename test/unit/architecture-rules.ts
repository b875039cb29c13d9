/**
 * The dependency direction of CONVENTIONS.md: domain <- services <- adapters <- main/cli.
 * Shared by the architecture test and eslint.config.js's rule list.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const SDK_PACKAGES = [
  "@slack/",
  "@octokit/",
  "better-sqlite3",
  "jose",
  "node-cron",
  "pino",
  "prom-client",
  "scimmy",
  "scimmy-routers",
  "express",
  "raw-body",
  "ulid",
];
const IO_BUILTINS = ["node:fs", "node:http", "node:https", "node:net", "node:child_process", "fs", "http", "https", "net", "child_process"];

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  why: string;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(text: string): { specifier: string; line: number }[] {
  const out: { specifier: string; line: number }[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const specifier = m[1] ?? m[2]!;
    const line = text.slice(0, (m.index ?? 0) + m[0].length).split("\n").length;
    out.push({ specifier, line });
  }
  return out;
}

/** Checks one file of layer `layer` (path relative to the repo root). */
export function checkFile(root: string, file: string, text: string): Violation[] {
  const layer = file.startsWith("src/domain/") ? "domain" : file.startsWith("src/services/") ? "services" : null;
  if (!layer) return [];
  const violations: Violation[] = [];
  for (const { specifier, line } of importsOf(text)) {
    if (specifier.startsWith(".")) {
      const target = relative(root, resolve(root, dirname(file), specifier)).replaceAll("\\", "/");
      const forbidden = layer === "domain" ? ["src/services/", "src/adapters/", "src/config/", "src/cli", "src/main", "src/shared/"] : ["src/adapters/", "src/cli", "src/main", "src/config/"];
      const hit = forbidden.find((f) => target.startsWith(f));
      if (hit) violations.push({ file, line, specifier, why: `${layer} must not import ${hit.replace(/\/$/, "")}` });
      continue;
    }
    const sdk = SDK_PACKAGES.find((p) => specifier === p || specifier.startsWith(p.endsWith("/") ? p : `${p}/`));
    if (sdk) violations.push({ file, line, specifier, why: `${layer} must not import the SDK ${sdk}` });
    if (layer === "domain" && IO_BUILTINS.includes(specifier)) violations.push({ file, line, specifier, why: "domain must not do I/O" });
  }
  return violations;
}

export function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith(".ts")) out.push(full);
  }
  return out;
}

export function checkTree(root: string): Violation[] {
  const files = [...listTs(join(root, "src/domain")), ...listTs(join(root, "src/services"))];
  return files.flatMap((full) => checkFile(root, relative(root, full).replaceAll("\\", "/"), readFileSync(full, "utf8")));
}

/**
 * src/ is what the package ships (package.json `files`: bin, src, grants); test/ is not. So
 * nothing under src imports from test/ or reads a file there (`new URL("…", import.meta.url)`),
 * and only `grantbot demo` (src/cli/demo.ts and src/demo itself) loads src/demo, whose local
 * stand-ins are never part of `serve`.
 */
export const PENDING_DEMO_MOVES: readonly { from: string; to: string }[] = [];

const FILE_URL_RE = /new\s+URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g;

/** Checks one shipped file (path relative to the repo root, under src/). */
export function checkShippedFile(root: string, file: string, text: string): Violation[] {
  const violations: Violation[] = [];
  const resolved = (specifier: string) => relative(root, resolve(root, dirname(file), specifier)).replaceAll("\\", "/");
  const references = [
    ...importsOf(text).filter((i) => i.specifier.startsWith(".")),
    ...[...text.matchAll(FILE_URL_RE)].map((m) => ({ specifier: m[1]!, line: text.slice(0, m.index ?? 0).split("\n").length })),
  ];
  for (const { specifier, line } of references) {
    const target = resolved(specifier);
    if ((target === "test" || target.startsWith("test/")) && !PENDING_DEMO_MOVES.some((p) => p.from === file && target.startsWith(p.to))) {
      violations.push({ file, line, specifier, why: "src must not use test/: the package does not ship it" });
    }
    if (target.startsWith("src/demo/") && !file.startsWith("src/demo/") && file !== "src/cli/demo.ts") {
      violations.push({ file, line, specifier, why: "only grantbot demo may load src/demo: its stand-ins are never part of serve" });
    }
  }
  return violations;
}

export function checkShippedTree(root: string): Violation[] {
  return listTs(join(root, "src")).flatMap((full) => checkShippedFile(root, relative(root, full).replaceAll("\\", "/"), readFileSync(full, "utf8")));
}
