/**
 * `${ENV_VAR}` interpolation in every string value of the parsed GRANTBOT_CONFIG document,
 * done before validation so secrets stay out of the file. `$${X}` is an escape for a literal
 * `${X}`. Keys are never interpolated. Pure: the environment is passed in.
 */

export type YamlPath = Array<string | number>;

export interface InterpolationProblem {
  path: YamlPath;
  message: string;
}

export interface Interpolated {
  value: unknown;
  problems: InterpolationProblem[];
  /** Paths (formatted) whose value came from the environment; their values are never echoed. */
  fromEnv: Set<string>;
}

const REFERENCE_RE = /\$\$\{([^}]*)\}|\$\{([^}]*)\}|\$\{/g;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const result: Interpolated = { value: undefined, problems: [], fromEnv: new Set() };
  result.value = walk(value, [], env, result);
  return result;
}

function walk(value: unknown, path: YamlPath, env: NodeJS.ProcessEnv, out: Interpolated): unknown {
  if (typeof value === "string") return substitute(value, path, env, out);
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index], env, out));
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a YAML key named __proto__ must stay a plain (rejected) key, not a prototype.
      Object.defineProperty(copy, key, { value: walk(item, [...path, key], env, out), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}

function substitute(text: string, path: YamlPath, env: NodeJS.ProcessEnv, out: Interpolated): string {
  let used = false;
  const replaced = text.replace(REFERENCE_RE, (match, escaped: string | undefined, name: string | undefined) => {
    if (escaped !== undefined) return `\${${escaped}}`;
    if (name === undefined) {
      out.problems.push({ path, message: "has a ${ without a closing }; write $${ for a literal ${" });
      return match;
    }
    if (!NAME_RE.test(name)) {
      out.problems.push({ path, message: `has \${${name}}, which is not a variable name; write $\${…} for a literal \${` });
      return match;
    }
    const found = env[name];
    if (found === undefined || found === "") {
      out.problems.push({ path, message: `references \${${name}}, which is not set in the environment` });
      return match;
    }
    used = true;
    return found;
  });
  if (used) out.fromEnv.add(formatPath(path));
  return replaced;
}

/** `["scim", "targets", 0, "url"]` -> `scim.targets[0].url`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}
