/**
 * Extracts the GitHub REST operations grantbot uses (and every `#/components/...` they reference,
 * transitively) from `@octokit/openapi`'s `generated/api.github.com.json` into the committed
 * fixture `src/demo/fake-github/github-openapi-subset.json`, which the fake GitHub validates requests
 * against. The full package is ~385 MB, so it is installed outside the project:
 *
 *   mkdir -p /tmp/openapi && cd /tmp/openapi && npm init -y && npm install @octokit/openapi
 *   npx tsx scripts/extract-github-openapi.ts /tmp/openapi/node_modules/@octokit/openapi/generated/api.github.com.json
 *
 * Re-run it when the spec updates. Prose (`description`, `example(s)`, `externalDocs`) is dropped
 * to keep the fixture commit-sized; everything that constrains shapes is kept.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The operations grantbot calls (adapters/github) plus the ones the fake serves to tests. */
export const OPERATIONS: ReadonlyArray<readonly [method: string, path: string]> = [
  ["get", "/repos/{owner}/{repo}/branches/{branch}"],
  ["post", "/repos/{owner}/{repo}/git/trees"],
  ["post", "/repos/{owner}/{repo}/git/commits"],
  ["post", "/repos/{owner}/{repo}/git/refs"],
  ["get", "/repos/{owner}/{repo}/git/ref/{ref}"],
  ["delete", "/repos/{owner}/{repo}/git/refs/{ref}"],
  ["post", "/repos/{owner}/{repo}/pulls"],
  ["get", "/repos/{owner}/{repo}/pulls"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["patch", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"],
  ["get", "/repos/{owner}/{repo}/git/commits/{commit_sha}"],
  ["get", "/repos/{owner}/{repo}/compare/{basehead}"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"],
  ["get", "/repos/{owner}/{repo}/contents/{path}"],
  ["put", "/repos/{owner}/{repo}/contents/{path}"],
  ["get", "/orgs/{org}/teams/{team_slug}/memberships/{username}"],
  ["post", "/app/installations/{installation_id}/access_tokens"],
];

const PROSE_KEYS = new Set(["description", "example", "examples", "externalDocs", "x-github", "x-octokit", "tags"]);
/** Keys whose object values are maps of names (a property called `description` must survive). */
const NAME_MAP_KEYS = new Set(["properties", "patternProperties", "headers", "content", "responses"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Copies `node` without prose keys. `isNameMap`: the keys of this object are names, not keywords. */
function strip(node: Json, isNameMap = false): Json {
  if (Array.isArray(node)) return node.map((item) => strip(item));
  if (node === null || typeof node !== "object") return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isNameMap && PROSE_KEYS.has(key)) continue;
    out[key] = strip(value, !isNameMap && NAME_MAP_KEYS.has(key));
  }
  return out;
}

/** Every `$ref` string inside `node`. */
function refsIn(node: Json, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) for (const item of node) refsIn(item, found);
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.add(value);
      else refsIn(value, found);
    }
  }
  return found;
}

function lookup(spec: { [key: string]: Json }, ref: string): Json {
  if (!ref.startsWith("#/")) throw new Error(`external $ref not supported: ${ref}`);
  let node: Json = spec;
  for (const raw of ref.slice(2).split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || Array.isArray(node) || !(part in node)) {
      throw new Error(`dangling $ref: ${ref}`);
    }
    node = node[part] as Json;
  }
  return node;
}

export function extract(spec: { [key: string]: Json }): { [key: string]: Json } {
  const allPaths = spec["paths"] as { [path: string]: { [method: string]: Json } };
  const paths: { [path: string]: { [method: string]: Json } } = {};
  for (const [method, path] of OPERATIONS) {
    const operation = allPaths[path]?.[method];
    if (operation === undefined) throw new Error(`operation not in spec: ${method.toUpperCase()} ${path}`);
    const item = (paths[path] ??= {});
    const shared = allPaths[path]?.["parameters"];
    if (shared !== undefined) item["parameters"] = strip(shared);
    item[method] = strip(operation);
  }
  // Follow $refs transitively, copying each referenced component (stripped) once.
  const components: { [section: string]: { [name: string]: Json } } = {};
  const pending = [...refsIn(paths as Json)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [, section, name, ...rest] = ref.split("/");
    if (section !== "components" || name === undefined || rest.length !== 1) {
      throw new Error(`unexpected $ref shape: ${ref}`);
    }
    const value = strip(lookup(spec, ref));
    (components[name] ??= {})[rest[0]!] = value;
    for (const next of refsIn(value)) if (!seen.has(next)) pending.push(next);
  }
  const sorted: { [section: string]: Json } = {};
  for (const section of Object.keys(components).sort()) {
    const entries = components[section]!;
    sorted[section] = Object.fromEntries(Object.keys(entries).sort().map((k) => [k, entries[k]!]));
  }
  const info = spec["info"] as { [key: string]: Json };
  return {
    openapi: spec["openapi"] as Json,
    info: { title: "GitHub REST API (grantbot subset)", version: info["version"] ?? "unknown" },
    "x-source": "@octokit/openapi generated/api.github.com.json via scripts/extract-github-openapi.ts",
    paths: paths as Json,
    components: sorted,
  };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const input = process.argv[2];
  if (input === undefined) {
    console.error("usage: npx tsx scripts/extract-github-openapi.ts <path to generated/api.github.com.json>");
    process.exit(1);
  }
  const spec = JSON.parse(readFileSync(input, "utf8")) as { [key: string]: Json };
  const subset = extract(spec);
  const out = resolve(dirname(fileURLToPath(import.meta.url)), "../src/demo/fake-github/github-openapi-subset.json");
  writeFileSync(out, `${JSON.stringify(subset, null, 1)}\n`);
  const count = Object.values(subset["components"] as object).reduce((n, s) => n + Object.keys(s).length, 0);
  console.log(`wrote ${out}: ${OPERATIONS.length} operations, ${count} components`);
}
