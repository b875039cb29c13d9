/**
 * Validates requests (and, optionally, the fake's own responses) against GitHub's published
 * OpenAPI description — the subset in github-openapi-subset.json beside this file, extracted by
 * scripts/extract-github-openapi.ts. The fake GitHub calls it on every request so a test fails
 * when grantbot sends a shape GitHub would not accept.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface OperationInfo {
  method: string; // upper case
  template: string; // "/repos/{owner}/{repo}/pulls"
  operationId: string;
  /** Path parameters that may contain `/` (the last segment of the template). */
  multiSegment: string | null;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Json;
}

const SPEC_ID = "github";
const FIXTURE = new URL("./github-openapi-subset.json", import.meta.url);

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly spec: JsonObject;
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor(spec: JsonObject = JSON.parse(readFileSync(FIXTURE, "utf8")) as JsonObject) {
    this.spec = spec;
    this.ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addFormat("int64", true);
    this.ajv.addFormat("repo.nwo", true);
    this.ajv.addSchema({ components: rebase(spec["components"] ?? {}) } as object, SPEC_ID);
  }

  operations(): OperationInfo[] {
    const out: OperationInfo[] = [];
    for (const [template, item] of Object.entries(this.spec["paths"] as JsonObject)) {
      for (const [method, op] of Object.entries(item as JsonObject)) {
        if (method === "parameters") continue;
        const operation = op as JsonObject;
        const params = this.parameters(template, method);
        const last = /\{([^}]+)\}$/.exec(template)?.[1] ?? null;
        const lastParam = params.find((p) => p.name === last);
        const multi = lastParam && ((lastParam as { "x-multi-segment"?: boolean })["x-multi-segment"] || last === "path") ? last : null;
        out.push({ method: method.toUpperCase(), template, operationId: String(operation["operationId"]), multiSegment: multi });
      }
    }
    return out;
  }

  /**
   * Errors (empty when the request conforms). `pathParams` are decoded strings, `query` the
   * decoded query parameters, `body` the parsed JSON body (undefined when there was none).
   */
  validateRequest(req: {
    method: string;
    template: string;
    pathParams: Record<string, string>;
    query: Record<string, string>;
    body: unknown;
  }): string[] {
    const method = req.method.toLowerCase();
    const operation = this.operation(req.template, method);
    if (!operation) return [`${req.method} ${req.template} is not in the OpenAPI subset`];
    const errors: string[] = [];
    const params = this.parameters(req.template, method);
    for (const param of params.filter((p) => p.in === "path" || p.in === "query")) {
      const source = param.in === "path" ? req.pathParams : req.query;
      const raw = source[param.name];
      if (raw === undefined) {
        if (param.required) errors.push(`missing required ${param.in} parameter "${param.name}"`);
        continue;
      }
      const value = coerce(raw, param.schema);
      errors.push(...this.check(`param:${req.template}:${param.name}`, param.schema ?? {}, value, `${param.in} parameter "${param.name}"`));
    }
    const known = new Set(params.filter((p) => p.in === "query").map((p) => p.name));
    for (const name of Object.keys(req.query)) {
      if (!known.has(name)) errors.push(`unknown query parameter "${name}"`);
    }
    const requestBody = this.deref(operation["requestBody"]) as JsonObject | undefined;
    const schema = ((requestBody?.["content"] as JsonObject | undefined)?.["application/json"] as JsonObject | undefined)?.["schema"];
    if (schema !== undefined) {
      if (req.body === undefined) {
        if (requestBody?.["required"] === true) errors.push("missing required JSON body");
      } else {
        errors.push(...this.check(`body:${method}:${req.template}`, schema, req.body, "body"));
      }
    }
    return errors;
  }

  /** Errors in a response body the fake produced (status without a JSON schema: no errors). */
  validateResponse(res: { method: string; template: string; status: number; body: unknown }): string[] {
    const operation = this.operation(res.template, res.method.toLowerCase());
    const responses = operation?.["responses"] as JsonObject | undefined;
    const response = this.deref(responses?.[String(res.status)]) as JsonObject | undefined;
    if (!response) return res.status < 300 ? [`status ${res.status} is not documented`] : [];
    const schema = ((response["content"] as JsonObject | undefined)?.["application/json"] as JsonObject | undefined)?.["schema"];
    if (schema === undefined) return [];
    return this.check(`res:${res.method}:${res.template}:${res.status}`, schema, res.body, "response");
  }

  private operation(template: string, method: string): JsonObject | undefined {
    const item = (this.spec["paths"] as JsonObject)[template] as JsonObject | undefined;
    return item?.[method] as JsonObject | undefined;
  }

  private parameters(template: string, method: string): Parameter[] {
    const item = (this.spec["paths"] as JsonObject)[template] as JsonObject;
    const shared = (item["parameters"] as Json[] | undefined) ?? [];
    const own = ((item[method] as JsonObject)["parameters"] as Json[] | undefined) ?? [];
    return [...shared, ...own].map((p) => this.deref(p) as unknown as Parameter);
  }

  private deref(node: Json | undefined): Json | undefined {
    let current = node;
    while (current && typeof current === "object" && !Array.isArray(current) && typeof current["$ref"] === "string") {
      const parts = (current["$ref"] as string).slice(2).split("/");
      current = parts.reduce<Json | undefined>((n, key) => (n && typeof n === "object" && !Array.isArray(n) ? n[key] : undefined), this.spec);
    }
    return current;
  }

  private check(key: string, schema: Json, value: unknown, where: string): string[] {
    let validate = this.cache.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.cache.set(key, validate);
    }
    if (validate === null || validate(value)) return [];
    return (validate.errors ?? []).map((e) => describe(where, e));
  }
}

/**
 * Rewrites `#/components/...` refs so they resolve inside the schema registered as SPEC_ID, and
 * OpenAPI 3.0's `nullable` without `type` (which ajv refuses) into `anyOf [schema, null]`.
 */
function rebase(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebase);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `${SPEC_ID}${value}` : rebase(value);
  }
  if (out["nullable"] === true && out["type"] === undefined) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: "null" }] };
  }
  return out;
}

/** Query and path parameters arrive as strings; convert to the schema's scalar type. */
function coerce(raw: string, schema: Json | undefined): unknown {
  const type = schema && typeof schema === "object" && !Array.isArray(schema) ? schema["type"] : undefined;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

function describe(where: string, e: ErrorObject): string {
  const at = e.instancePath === "" ? where : `${where}${e.instancePath}`;
  const extra = e.keyword === "enum" ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})` : "";
  const prop = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : "";
  return `${at} ${e.message ?? e.keyword}${prop}${extra}`;
}
