/**
 * Renders the configuration reference (README "Configuration reference") from the schemas'
 * metadata, so the documentation cannot drift from what `loadConfig` accepts.
 * test/unit/config-reference.test.ts fails when README.md differs; `npx tsx
 * src/config/write-reference.ts` rewrites the block.
 */
import type { z } from "zod";
import { createEnvSchema } from "./env-schema.ts";
import { docOf, type FieldDoc } from "./fields.ts";
import { fileSchema } from "./file-schema.ts";

export const REFERENCE_START = "<!-- config:start -->";
export const REFERENCE_END = "<!-- config:end -->";
export const REGENERATE_COMMAND = "npx tsx src/config/write-reference.ts";

const HEADER = ["| required | default | meaning | example |", "| --- | --- | --- | --- |"];

/** The markdown between the README markers: the environment table and the GRANTBOT_CONFIG keys table. */
export function renderConfigReference(): string {
  const envRows = Object.entries(createEnvSchema(() => "").shape).map(([name, schema]) => row(name, docOf(schema)));
  const fileRows = fileKeys(fileSchema, "").map(([key, doc]) => row(key, doc));
  return [
    `<!-- generated from src/config/*-schema.ts; regenerate with \`${REGENERATE_COMMAND}\` -->`,
    "",
    "### Environment variables",
    "",
    "Validated at start; a bad or missing value stops grantbot with one message naming every offending variable.",
    "Empty values count as unset. Secrets are never printed (they render as `*****`).",
    "GitHub auth: set `GITHUB_TOKEN`, or all of `GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY`, `GITHUB_APP_INSTALLATION_ID` — exactly one of the two.",
    "",
    `| variable ${HEADER[0]}`,
    `| --- ${HEADER[1]}`,
    ...envRows,
    "",
    "### `GRANTBOT_CONFIG` file",
    "",
    "YAML. `${ENV_VAR}` in any string value is replaced by that environment variable before validation",
    "(an unset variable is an error); write `$${X}` for a literal `${X}`. Durations: `90s`, `30m`, `4h`, `1d` or ISO 8601.",
    "Unknown keys are errors. Without `GRANTBOT_CONFIG`: no SCIM targets, no directory, the defaults below.",
    "",
    `| key ${HEADER[0]}`,
    `| --- ${HEADER[1]}`,
    ...fileRows,
  ].join("\n");
}

/** Replaces what lies between the markers in `readme` with `block`; throws when a marker is missing. */
export function replaceReferenceBlock(readme: string, block: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md needs the markers ${REFERENCE_START} and ${REFERENCE_END}, in that order`);
  }
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${block}\n${readme.slice(end)}`;
}

/** What lies between the markers, without the surrounding newlines; undefined without markers. */
export function extractReferenceBlock(readme: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) return undefined;
  return readme.slice(start + REFERENCE_START.length, end).replace(/^\n/, "").replace(/\n$/, "");
}

function row(name: string, doc: FieldDoc | undefined): string {
  if (!doc) throw new Error(`config field ${name} has no documentation metadata`);
  const cells = [
    code(name),
    doc.required,
    doc.default === undefined ? "" : code(doc.default),
    doc.secret ? `${doc.description} Secret.` : doc.description,
    doc.example === undefined ? "" : code(doc.example),
  ];
  return `| ${cells.map(escapeCell).join(" | ")} |`;
}

/** Documented keys of an object schema, depth first: `scim`, `scim.targets`, `scim.targets[].name`, … */
function fileKeys(schema: z.ZodType, prefix: string): Array<[string, FieldDoc | undefined]> {
  const object = unwrap(schema);
  const def = object._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
  if (def.type === "array" && def.element) return fileKeys(def.element, `${prefix}[]`);
  if (def.type !== "object" || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [[path, docOf(field)] as [string, FieldDoc | undefined], ...fileKeys(field, path)];
  });
}

/** Strips optional/default/prefault/pipe wrappers down to the schema that has the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.innerType && ["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(def.type)) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
}

function code(text: string): string {
  return `\`${text}\``;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
