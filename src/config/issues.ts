/**
 * Turns zod issues into the one-line problems `ConfigError` lists:
 *   `GITHUB_REPOSITORY: expected owner/name, e.g. acme/grants (got "acme")`
 *   `GRANTBOT_CONFIG scim.targets[0].url: expected an https URL (got "ftp://x") at grantbot.yaml:4`
 * The offending value is echoed only when it is not a secret and did not come from the environment.
 */
import type { z } from "zod";
import { docOf } from "./fields.ts";
import { formatPath, type YamlPath } from "./interpolate.ts";

type Issue = z.core.$ZodIssue;

const MAX_ECHO = 60;

/** Problems with environment variables, in the order of `shape`. */
export function envProblems(issues: readonly Issue[], raw: Record<string, string | undefined>, shape: Record<string, z.ZodType>): string[] {
  const order = Object.keys(shape);
  const sorted = [...issues].sort((a, b) => rank(order, a) - rank(order, b));
  const lines = sorted.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const field = shape[name];
    const doc = field ? docOf(field) : undefined;
    const value = raw[name];
    if (issue.code === "invalid_type" && value === undefined) return `${name}: is not set; ${doc?.hint ?? "required"}`;
    const echo = doc?.secret || value === undefined ? "" : got(value, issue.message);
    return `${name}: ${issue.message}${echo}`;
  });
  return [...new Set(lines)];
}

function rank(order: string[], issue: Issue): number {
  const index = order.indexOf(String(issue.path[0]));
  return index === -1 ? order.length : index;
}

export interface FileProblemContext {
  /** The interpolated document that was validated. */
  data: unknown;
  /** Formatted paths whose values came from `${ENV_VAR}`. */
  fromEnv: ReadonlySet<string>;
  /** `file:line` of a YAML path, or undefined when unknown. */
  locate(path: YamlPath): string | undefined;
}

/** Problems inside the GRANTBOT_CONFIG file, each prefixed with `GRANTBOT_CONFIG <yaml path>`. */
export function fileProblems(issues: readonly Issue[], context: FileProblemContext): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) lines.push(fileProblem([...path, key], "unknown key (check the spelling)", context));
      continue;
    }
    const value = valueAt(context.data, path);
    if (issue.code === "invalid_type" && value === undefined) {
      lines.push(fileProblem(path, "is required", context));
      continue;
    }
    const secret = path[path.length - 1] === "token" || context.fromEnv.has(formatPath(path));
    const echo = !secret && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      ? got(value, issue.message) : "";
    lines.push(fileProblem(path, `${issue.message}${echo}`, context));
  }
  return [...new Set(lines)];
}

/** One problem line for a YAML path: `GRANTBOT_CONFIG a.b[0]: message at file:line`. */
export function fileProblem(path: YamlPath, message: string, context: Pick<FileProblemContext, "locate">): string {
  const where = formatPath(path);
  const at = context.locate(path);
  return `GRANTBOT_CONFIG${where ? ` ${where}` : ""}: ${message}${at ? ` at ${at}` : ""}`;
}

function got(value: string | number | boolean, message: string): string {
  if (typeof value !== "string") return ` (got ${JSON.stringify(value)})`;
  const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
  return message.includes(`"${value}"`) ? "" : ` (got ${JSON.stringify(shown)})`;
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}
