/**
 * Reads and validates the GRANTBOT_CONFIG file: YAML parse (errors as file:line:column),
 * `${ENV_VAR}` interpolation, then the zod schema. Collects every problem instead of stopping.
 */
import { LineCounter, parseDocument, type Document } from "yaml";
import { defaultFileConfig, fileSchema, type ParsedFileConfig } from "./file-schema.ts";
import { formatPath, interpolateEnv, type YamlPath } from "./interpolate.ts";
import { fileProblem, fileProblems } from "./issues.ts";
import type { ReadFile } from "./private-key.ts";
import type { FileConfig } from "./types.ts";

export type FileResult = { ok: true; config: FileConfig } | { ok: false; problems: string[] };

/** Reads `path` with `readFile` and validates it; `env` resolves `${ENV_VAR}` references. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv, readFile: ReadFile): FileResult {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return { ok: false, problems: [`GRANTBOT_CONFIG: cannot read ${JSON.stringify(path)}${code ? ` (${code})` : ""}`] };
  }
  return parseConfigFile(text, path, env);
}

/** Validates YAML text; `path` only labels locations in messages. Pure. */
export function parseConfigFile(text: string, path: string, env: NodeJS.ProcessEnv): FileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return path;
    const { line, col } = lineCounter.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((error) => `GRANTBOT_CONFIG: ${at(error.pos[0])}: ${firstLine(error.message)}`) };
  }
  const interpolated = interpolateEnv(doc.toJS() ?? {}, env);
  const locate = (yamlPath: YamlPath) => {
    const offset = offsetOf(doc, yamlPath);
    if (offset === undefined) return undefined;
    return `${path}:${lineCounter.linePos(offset).line}`;
  };
  const problems = interpolated.problems.map((problem) => fileProblem(problem.path, problem.message, { locate }));
  const parsed = fileSchema.safeParse(interpolated.value);
  if (!parsed.success) {
    const skip = new Set(interpolated.problems.map((problem) => formatPath(problem.path)));
    const validation = fileProblems(parsed.error.issues, { data: interpolated.value, fromEnv: interpolated.fromEnv, locate });
    // A value with an unresolved reference is reported once, for the reference.
    problems.push(...validation.filter((line) => !skip.has(problemPath(line))));
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, config: toFileConfig(parsed.data) };
}

/** The file part of `Config` when GRANTBOT_CONFIG is not set. */
export function defaultConfigFile(): FileConfig {
  return toFileConfig(defaultFileConfig());
}

function toFileConfig(file: ParsedFileConfig): FileConfig {
  return {
    scimTargets: file.scim.targets.map((target) => ({
      name: target.name,
      url: target.url,
      token: target.token,
      profile: target.profile,
      timeoutMs: target.timeout,
      maxConcurrency: target.max_concurrency,
    })),
    directory: file.directory && {
      url: file.directory.url,
      token: file.directory.token,
      pollIntervalMs: file.directory.poll_interval,
      profile: file.directory.profile,
    },
    reconcileIntervalMs: file.reconcile_interval,
    notifyBeforeExpiryMs: file.notify_before_expiry,
    staleRequestAgeMs: file.stale_request_age,
    offboardingPendingAfterMs: file.offboarding_pending_after,
    jobRetry: { baseMs: file.job_retry.base, maxMs: file.job_retry.max },
  };
}

/** Offset of the deepest existing node on `path` (the parent when a key is missing). */
function offsetOf(doc: Document, path: YamlPath): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
  }
  return undefined;
}

function problemPath(line: string): string {
  return /^GRANTBOT_CONFIG ([^:]*):/.exec(line)?.[1] ?? "";
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
