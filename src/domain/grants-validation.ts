/**
 * Checks a grants tree (catalog.yaml, people.yaml, <resource>/<grant-id>.yaml, CODEOWNERS) the way
 * CI and `grantbot validate` do: every problem names a file and the line to edit. Pure: the
 * caller reads the files (adapters/files/grants-dir.ts) and prints the problems.
 */
import { parseDuration } from "./durations.ts";
import { catalogSchema, grantFileSchema, peopleSchema, type Catalog, type GrantFile, type People } from "./grant-files.ts";
import { findCodeownersBlock, hasUnterminatedCodeownersBlock, renderCodeowners } from "./codeowners.ts";
import { parseYamlWithSchema, type IssuePath } from "./yaml-source.ts";

export const CATALOG_PATH = "grants/catalog.yaml";
export const PEOPLE_PATH = "grants/people.yaml";
export const CODEOWNERS_PATH = ".github/CODEOWNERS";
export const CODEOWNERS_FIX = "run `grantbot codeowners --write` and commit the result";

export interface SourceFile {
  /** Path from the repository root, "/"-separated: `grants/catalog.yaml`, `grants/<resource>/<id>.yaml`. */
  path: string;
  text: string;
}
export interface Problem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}
export interface GrantsTreeInput {
  files: readonly SourceFile[];
  /** `.github/CODEOWNERS` text; null = the file does not exist (a problem); omitted = not checked. */
  codeowners?: string | null;
  /** SCIM target names from GRANTBOT_CONFIG; when given, each resource's scim.target must be one. */
  targets?: readonly string[];
}
export interface GrantsTreeReport {
  problems: Problem[];
  /** The parsed catalog, or null when it is missing or invalid. */
  catalog: Catalog | null;
  people: People | null;
  grants: { path: string; grant: GrantFile }[];
}

type Located<T> = { value: T; lineOf(path: IssuePath): number };

/** All problems of the tree, sorted by file then line. */
export function validateGrantsTree(input: GrantsTreeInput): Problem[] {
  return inspectGrantsTree(input).problems;
}

/** validateGrantsTree plus what was parsed (for summaries such as "grants OK: 4 resources"). */
export function inspectGrantsTree(input: GrantsTreeInput): GrantsTreeReport {
  const problems: Problem[] = [];
  const report = (file: string, line: number, message: string) => problems.push({ file, line, message });
  let catalog: Located<Catalog> | null = null;
  let people: Located<People> | null = null;
  const grants: { path: string; grant: Located<GrantFile> }[] = [];

  for (const file of input.files) {
    const kind = classify(file.path);
    if (kind === "ignored") continue;
    if (kind === "misplaced") {
      report(file.path, 1, "unexpected file: grants/ holds catalog.yaml, people.yaml and <resource>/<grant-id>.yaml");
      continue;
    }
    const schema = kind === "catalog" ? catalogSchema : kind === "people" ? peopleSchema : grantFileSchema;
    const parsed = parseYamlWithSchema(file.text, schema);
    if (!parsed.ok) {
      for (const p of parsed.problems) report(file.path, p.line, p.message);
      continue;
    }
    if (kind === "catalog") catalog = parsed as Located<Catalog>;
    else if (kind === "people") people = parsed as Located<People>;
    else grants.push({ path: file.path, grant: parsed as Located<GrantFile> });
  }
  const present = new Set(input.files.map((f) => f.path));
  if (!present.has(CATALOG_PATH)) report(CATALOG_PATH, 1, "missing: the catalog lists the resources that can be requested");
  if (!present.has(PEOPLE_PATH)) report(PEOPLE_PATH, 1, "missing: people.yaml maps emails to GitHub logins; without it no approval counts");

  if (people) checkPeople(people, report);
  if (catalog) checkCatalog(catalog, people?.value ?? null, input.targets, report);
  checkGrants(grants, catalog?.value ?? null, report);
  if (catalog && input.codeowners !== undefined) checkCodeowners(catalog.value, input.codeowners, report);

  return {
    problems: problems.sort(compareProblems),
    catalog: catalog?.value ?? null,
    people: people?.value ?? null,
    grants: grants.map(({ path, grant }) => ({ path, grant: grant.value })),
  };
}

/** Orders problems by file, then line, then message. */
export function compareProblems(a: Problem, b: Problem): number {
  return cmp(a.file, b.file) || a.line - b.line || cmp(a.message, b.message);
}

type Report = (file: string, line: number, message: string) => void;

function classify(path: string): "catalog" | "people" | "grant" | "misplaced" | "ignored" {
  if (!path.startsWith("grants/") || !/\.ya?ml$/.test(path)) return "ignored";
  const parts = path.split("/").slice(1);
  if (parts.length === 1) return path === CATALOG_PATH ? "catalog" : path === PEOPLE_PATH ? "people" : "misplaced";
  return parts.length === 2 ? "grant" : "misplaced";
}

function checkPeople(people: Located<People>, report: Report): void {
  const fields = [["email", "email"], ["GitHub login", "github"], ["Slack id", "slack"]] as const;
  for (const [label, field] of fields) {
    const firstLine = new Map<string, number>();
    people.value.people.forEach((person, index) => {
      const key = person[field]?.toLowerCase();
      if (key === undefined) return;
      const line = people.lineOf(["people", index, field]);
      const first = firstLine.get(key);
      if (first === undefined) firstLine.set(key, line);
      else report(PEOPLE_PATH, line, `${label} ${person[field]} is listed twice (also on line ${first})`);
    });
  }
}

function checkCatalog(catalog: Located<Catalog>, people: People | null, targets: readonly string[] | undefined, report: Report): void {
  const logins = new Set(people?.people.map((p) => p.github.toLowerCase()));
  const emails = new Set(people?.people.map((p) => p.email));
  for (const [id, resource] of Object.entries(catalog.value.resources)) {
    const at = (...path: PropertyKey[]) => catalog.lineOf(["resources", id, ...path]);
    if (targets && !targets.includes(resource.scim.target)) {
      const known = targets.length ? targets.join(", ") : "none";
      report(CATALOG_PATH, at("scim", "target"), `SCIM target ${resource.scim.target} is not in GRANTBOT_CONFIG (known: ${known})`);
    }
    if (!people) continue;
    resource.approvers.users.forEach((user, i) => {
      if (!logins.has(user.toLowerCase())) {
        report(CATALOG_PATH, at("approvers", "users", i), `approver ${user} is not in people.yaml: their approvals would not count`);
      }
    });
    resource.standing_members.forEach((member, i) => {
      const email = typeof member === "string" ? member : member.email;
      if (!emails.has(email)) {
        report(CATALOG_PATH, at("standing_members", i), `standing member ${email} of ${id} is not in people.yaml`);
      }
    });
  }
}

function checkGrants(grants: { path: string; grant: Located<GrantFile> }[], catalog: Catalog | null, report: Report): void {
  const byId = new Map<string, { path: string; grant: GrantFile }[]>();
  for (const { path, grant } of grants) {
    const g = grant.value;
    const at = (key: keyof GrantFile) => grant.lineOf([key]);
    const [, folder, name] = path.split("/");
    if (name !== `${g.id}.yaml`) report(path, at("id"), `file name ${name} does not match the grant id; name it ${g.id}.yaml`);
    if (folder !== g.resource) report(path, at("resource"), `grant is in folder ${folder} but its resource is ${g.resource}`);
    const resource = catalog && Object.hasOwn(catalog.resources, g.resource) ? catalog.resources[g.resource] : undefined;
    if (catalog && !resource) report(path, at("resource"), `unknown resource ${g.resource}: it is not in ${CATALOG_PATH}`);
    const ms = parseDuration(g.duration);
    if (resource && ms.ok) {
      const max = parseDuration(resource.duration.max);
      const min = resource.duration.min === undefined ? undefined : parseDuration(resource.duration.min);
      if (max.ok && ms.ms > max.ms) report(path, at("duration"), `duration ${g.duration} is above ${g.resource}'s max ${resource.duration.max}`);
      if (min?.ok && ms.ms < min.ms) report(path, at("duration"), `duration ${g.duration} is below ${g.resource}'s min ${resource.duration.min}`);
    }
    byId.set(g.id, [...(byId.get(g.id) ?? []), { path, grant: g }]);
  }
  for (const [id, same] of byId) {
    if (same.length < 2) continue;
    for (const { path } of same) {
      const others = same.filter((s) => s.path !== path).map((s) => s.path).join(", ");
      const line = grants.find((g) => g.path === path)?.grant.lineOf(["id"]) ?? 1;
      report(path, line, `duplicate grant id ${id}: also in ${others}`);
    }
  }
  for (const { path, grant } of grants) {
    const g = grant.value;
    if (g.extends === undefined) continue;
    const line = grant.lineOf(["extends"]);
    const target = byId.get(g.extends)?.[0]?.grant;
    if (g.extends === g.id) report(path, line, "a grant cannot extend itself");
    else if (!target) report(path, line, `extends ${g.extends}, which is not a grant in grants/`);
    else if (target.resource !== g.resource) {
      report(path, line, `extends ${g.extends}, a grant of ${target.resource}: an extension must be for the same resource`);
    } else if (target.subject !== g.subject) {
      report(path, line, `extends ${g.extends}, a grant for ${target.subject}: an extension must be for the same subject`);
    }
  }
}

function checkCodeowners(catalog: Catalog, codeowners: string | null, report: Report): void {
  if (codeowners === null) {
    report(CODEOWNERS_PATH, 1, `missing: reviews would not be requested from each resource's approvers; ${CODEOWNERS_FIX}`);
    return;
  }
  const found = findCodeownersBlock(codeowners);
  if (!found) {
    const what = hasUnterminatedCodeownersBlock(codeowners) ? "has a grantbot block without its END line" : "has no grantbot block";
    report(CODEOWNERS_PATH, 1, `${what}; ${CODEOWNERS_FIX}`);
  } else if (found.block !== renderCodeowners(catalog)) {
    report(CODEOWNERS_PATH, found.startLine, `out of date with ${CATALOG_PATH}; ${CODEOWNERS_FIX}`);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
