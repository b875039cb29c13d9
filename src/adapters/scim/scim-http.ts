/**
 * The one place that talks HTTP to a SCIM service provider: bearer auth, timeouts
 * (AbortSignal.timeout), the target's concurrency limit, error mapping (scim-errors.ts) and zod
 * validation of replies. Uses Node 20's global fetch unless one is injected.
 */
import type { z } from "zod";
import { ConcurrencyLimit } from "./concurrency.ts";
import { badReplyError, describeIssues, errorFromResponse, unreachableError } from "./scim-errors.ts";

export interface ScimHttpOptions {
  target: string;
  baseUrl: string;
  token: string;
  timeoutMs: number;
  userAgent: string;
  fetch: typeof fetch;
  now: () => number;
  /** Most requests in flight to this target at once (`max_concurrency`). */
  maxConcurrency: number;
}

export type Query = Record<string, string | number | undefined>;

export interface ScimReply {
  status: number;
  /** Parsed JSON body; undefined for an empty body (e.g. 204). */
  body: unknown;
}

/**
 * Encodes a query with encodeURIComponent (spaces as %20, not `+`: some SCIM servers do not
 * decode `+` in filters).
 */
export function encodeQuery(query: Query): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/** Encodes one path segment (an id): ids are opaque and may contain reserved characters. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

export class ScimHttp {
  readonly #options: ScimHttpOptions;
  readonly #base: string;
  readonly #limit: ConcurrencyLimit;

  constructor(options: ScimHttpOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#limit = new ConcurrencyLimit(options.maxConcurrency);
  }

  get target(): string {
    return this.#options.target;
  }

  /** The target's limit on requests in flight (callers size their worker pools with it). */
  get maxConcurrency(): number {
    return this.#limit.max;
  }

  /**
   * Sends one request. Resolves for 2xx only; throws ScimTargetError otherwise.
   * `path` is relative to the base URL and must start with `/`. Waits for a free slot of the
   * target's concurrency limit first; the timeout runs from the moment the request is sent.
   */
  async request(method: "GET" | "PATCH" | "POST" | "DELETE", path: string, init: { query?: Query; body?: unknown } = {}): Promise<ScimReply> {
    const { target, token, timeoutMs, userAgent, now } = this.#options;
    const request = `${method} ${path}`;
    const headers: Record<string, string> = {
      accept: "application/scim+json, application/json",
      authorization: `Bearer ${token}`,
      "user-agent": userAgent,
    };
    if (init.body !== undefined) headers["content-type"] = "application/scim+json";
    let status: number;
    let bodyText: string;
    let retryAfter: string | null;
    try {
      [status, retryAfter, bodyText] = await this.#limit.run(async () => {
        const response = await this.#options.fetch(`${this.#base}${path}${encodeQuery(init.query ?? {})}`, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          // never follow a redirect: the Authorization header would go with it
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
        return [response.status, response.headers.get("retry-after"), await response.text()] as const;
      });
    } catch (error) {
      throw unreachableError(target, request, error, timeoutMs);
    }
    if (status < 200 || status > 299) {
      throw errorFromResponse({ target, request, status, retryAfter, bodyText, token, now: now() });
    }
    if (bodyText.trim() === "") return { status, body: undefined };
    try {
      return { status, body: JSON.parse(bodyText) as unknown };
    } catch {
      throw badReplyError(target, request, `body is not JSON (status ${status})`);
    }
  }

  /** Parses a reply body with `schema`; a mismatch is a `bad_input` naming the target. */
  parse<T extends z.ZodType>(schema: T, body: unknown, request: string, what: string): z.output<T> {
    const result = schema.safeParse(body);
    if (!result.success) {
      throw badReplyError(this.#options.target, request, `not a SCIM ${what}: ${describeIssues(result.error.issues)}`);
    }
    return result.data;
  }

  /** GET + parse; the body is required. */
  async getJson<T extends z.ZodType>(path: string, query: Query, schema: T, what: string): Promise<z.output<T>> {
    const reply = await this.request("GET", path, { query });
    return this.parse(schema, reply.body, `GET ${path}`, what);
  }
}
