/**
 * The two policy files of one side of a diff, parsed with the strict schemas of grant-files.ts.
 * A file that does not exist (null text) is an empty policy.
 *
 * Forward compatibility: PRODUCT.md documents per-resource `breakglass` and `review` and standing
 * members written as `{ email, review_after }`. When the schema in this build does not accept
 * them yet, they are set aside, the rest is validated strictly, and they come back as opaque
 * values, so a policy written for a newer grantbot still diffs (and shows those changes) rather
 * than failing. Anything else the schema refuses is an error with its line. Pure.
 */
import type { z } from "zod";
import { catalogSchema, peopleSchema } from "./grant-files.ts";
import type { DiffResource, PolicySide } from "./policy-diff-types.ts";
import { describeIssue, parseYamlWithPositions, type IssuePath, type SourceProblem } from "./yaml-source.ts";

export const CATALOG_FILE = "grants/catalog.yaml";
export const PEOPLE_FILE = "grants/people.yaml";
/** Resource keys set aside when the schema does not know them yet. */
const FORWARD_KEYS = ["breakglass", "review"] as const;

export interface PolicyTexts {
  /** null = the file does not exist on that side. */
  catalog: string | null;
  people: string | null;
}
export type ParsedPolicy =
  | { ok: true; policy: PolicySide }
  | { ok: false; file: typeof CATALOG_FILE | typeof PEOPLE_FILE; problems: SourceProblem[] };

export function parsePolicyTexts(texts: PolicyTexts): ParsedPolicy {
  let resources: Record<string, DiffResource> = {};
  if (texts.catalog !== null) {
    const catalog = parseCatalog(texts.catalog);
    if (!catalog.ok) return { ok: false, file: CATALOG_FILE, problems: catalog.problems };
    resources = catalog.resources;
  }
  let people: PolicySide["people"] = { people: [] };
  if (texts.people !== null) {
    const parsed = parseYamlWithPositions(texts.people);
    if (!parsed.ok) return { ok: false, file: PEOPLE_FILE, problems: parsed.problems };
    const result = peopleSchema.safeParse(parsed.value);
    if (!result.success) return { ok: false, file: PEOPLE_FILE, problems: problemsOf(result.error, parsed.lineOf) };
    people = result.data;
  }
  return { ok: true, policy: { catalog: { resources }, people } };
}

type ParsedCatalog = { ok: true; resources: Record<string, DiffResource> } | { ok: false; problems: SourceProblem[] };

function parseCatalog(text: string): ParsedCatalog {
  const parsed = parseYamlWithPositions(text);
  if (!parsed.ok) return parsed;
  const strict = catalogSchema.safeParse(parsed.value);
  if (strict.success) return { ok: true, resources: strict.data.resources };
  const { lenient, extras } = setAsideForwardKeys(parsed.value);
  const retry = catalogSchema.safeParse(lenient);
  if (!retry.success) return { ok: false, problems: problemsOf(retry.error, parsed.lineOf) };
  const resources: Record<string, DiffResource> = {};
  for (const [id, resource] of Object.entries(retry.data.resources)) {
    resources[id] = { ...resource, ...extras.get(id) };
  }
  return { ok: true, resources };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A copy without the forward keys (standing member entries reduced to their email), and what was taken out. */
function setAsideForwardKeys(value: unknown): { lenient: unknown; extras: Map<string, Partial<DiffResource>> } {
  const extras = new Map<string, Partial<DiffResource>>();
  if (!isRecord(value) || !isRecord(value.resources)) return { lenient: value, extras };
  const resources: Record<string, unknown> = {};
  for (const [id, resource] of Object.entries(value.resources)) {
    if (!isRecord(resource)) {
      resources[id] = resource;
      continue;
    }
    const copy: Record<string, unknown> = { ...resource };
    const extra: Partial<DiffResource> = {};
    for (const key of FORWARD_KEYS) {
      if (key in copy) {
        extra[key] = copy[key];
        delete copy[key];
      }
    }
    const standing = copy.standing_members;
    if (Array.isArray(standing) && standing.some((m) => isRecord(m) && typeof m.email === "string")) {
      copy.standing_members = standing.map((m) => (isRecord(m) && typeof m.email === "string" ? m.email : m));
      extra.standing_members = standing.map((m) =>
        isRecord(m) && typeof m.email === "string" ? { email: m.email, review_after: m.review_after } : (m as string),
      );
    }
    resources[id] = copy;
    extras.set(id, extra);
  }
  return { lenient: { ...value, resources }, extras };
}

/** zod issues as line-anchored problems, one per path, sorted by line (as parseYamlWithSchema reports them). */
function problemsOf(error: z.ZodError, lineOf: (path: IssuePath) => number): SourceProblem[] {
  const seen = new Set<string>();
  const problems: SourceProblem[] = [];
  for (const { path, message } of error.issues.flatMap(describeIssue)) {
    const key = JSON.stringify(path.map(String));
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ line: lineOf(path), message });
  }
  return problems.sort((a, b) => a.line - b.line);
}
