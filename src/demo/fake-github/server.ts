/**
 * The fake's HTTP pipeline: latency, routing, authentication, OpenAPI validation of every request,
 * injected failures, conditional requests (ETag / If-None-Match -> 304) and a recording of every
 * call. Handlers (routes-*.ts) only see validated requests.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "./http-error.ts";
import type { OpenApiValidator, OperationInfo } from "./openapi-validator.ts";
import type { RepoState } from "./repo-state.ts";
import type { AppTokens } from "./routes-org.ts";
import { matchRoute, type Routes, type RouteResult } from "./routing.ts";
import type { ShapeContext } from "./shapes-repo.ts";

export interface RecordedCall {
  method: string;
  /** Decoded path without the query string. */
  path: string;
  /** `"METHOD /template"` of the matched operation, or null when no operation matched. */
  route: string | null;
  /** OpenAPI operationId (`git/create-ref`), or null. */
  op: string | null;
  status: number;
  query: Record<string, string>;
  body: unknown;
  /** `token` or `bearer`, and the credential sent. */
  auth: { scheme: string; token: string } | null;
}

export interface ValidationRecord {
  route: string;
  errors: string[];
}

export type FailureStatus = number | "network";

export interface PendingFailure {
  remaining: number;
  status: FailureStatus;
  /** `"METHOD /template"` or an operationId; absent = any request. */
  route?: string;
  headers?: Record<string, string>;
}

export interface ServerDeps {
  state: RepoState;
  ctx: () => ShapeContext;
  validator: OpenApiValidator;
  ops: OperationInfo[];
  routes: Routes;
  tokens: AppTokens;
  /** When set, only these tokens (plus issued installation tokens) authenticate. */
  acceptedTokens: Set<string> | null;
  validateResponses: boolean;
  rttMs: () => number;
  failures: PendingFailure[];
  calls: RecordedCall[];
  requestErrors: ValidationRecord[];
  responseErrors: ValidationRecord[];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseAuth(header: string | undefined): { scheme: string; token: string } | null {
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header ?? "");
  return m ? { scheme: m[1]!.toLowerCase(), token: m[2]! } : null;
}

function takeFailure(deps: ServerDeps, op: OperationInfo | null): PendingFailure | null {
  const key = op ? `${op.method} ${op.template}` : null;
  const failure = deps.failures.find((f) => f.route === undefined || f.route === key || f.route === op?.operationId);
  if (!failure) return null;
  if (--failure.remaining <= 0) deps.failures.splice(deps.failures.indexOf(failure), 1);
  return failure;
}

export function etagOf(body: unknown): string {
  return `W/"${createHash("sha1").update(JSON.stringify(body)).digest("hex")}"`;
}

export function createListener(deps: ServerDeps) {
  const handle = handler(deps);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await handle(req, res);
    } catch (err) {
      // A bug in the fake must fail the test loudly, not hang the client.
      deps.requestErrors.push({ route: `${req.method} ${req.url}`, errors: [`fake crashed: ${String(err)}`] });
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `fake GitHub crashed: ${String(err)}` }));
    }
  };
}

function handler(deps: ServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const delay = deps.rttMs();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const method = (req.method ?? "GET").toUpperCase();
    const match = matchRoute(deps.ops, method, url.pathname);
    const route = match ? `${match.op.method} ${match.op.template}` : null;
    const auth = parseAuth(req.headers.authorization);
    let body: unknown = undefined;
    const call: RecordedCall = { method, path: decodeURIComponent(url.pathname), route, op: match?.op.operationId ?? null, status: 0, query, body, auth };
    deps.calls.push(call);

    const send = (result: RouteResult): void => {
      call.status = result.status;
      const headers: Record<string, string> = {
        "x-github-request-id": randomUUID(),
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-resource": "core",
        ...result.headers,
      };
      if (result.body === undefined || result.status === 304 || result.status === 204) {
        res.writeHead(result.status, headers).end();
        return;
      }
      res.writeHead(result.status, { ...headers, "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(result.body));
    };
    const fail = (e: HttpError): void => send({ status: e.status, body: e.body(), headers: e.headers });

    if (!match) return fail(new HttpError(404, "Not Found"));
    if (!auth) return fail(new HttpError(401, "Requires authentication"));
    const isAppRoute = match.op.template.startsWith("/app/");
    const known = deps.acceptedTokens === null || deps.acceptedTokens.has(auth.token) || deps.tokens.issued.has(auth.token);
    const isJwt = auth.token.split(".").length === 3;
    if (!isAppRoute && (!known || isJwt)) return fail(new HttpError(401, "Bad credentials"));
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
        call.body = body;
      } catch {
        return fail(new HttpError(400, "Problems parsing JSON"));
      }
    }
    const errors = deps.validator.validateRequest({ method, template: match.op.template, pathParams: match.params, query, body });
    if (errors.length > 0) {
      deps.requestErrors.push({ route: route!, errors });
      return fail(new HttpError(422, `Invalid request.\n\n${errors.join("\n")}`, errors.map((message) => ({ code: "invalid", message }))));
    }
    const failure = takeFailure(deps, match.op);
    if (failure?.status === "network") {
      call.status = -1;
      req.socket.destroy();
      return;
    }
    if (failure) return fail(new HttpError(failure.status, failure.status >= 500 ? "Server Error" : "Injected failure", undefined, failure.headers));

    let result: RouteResult;
    try {
      result = await deps.routes[route!]!({ method, template: match.op.template, params: match.params, query, body, headers: req.headers, token: auth.token, ctx: deps.ctx(), state: deps.state });
    } catch (err) {
      if (err instanceof HttpError) return fail(err);
      deps.requestErrors.push({ route: route!, errors: [`fake crashed: ${String(err)}`] });
      return fail(new HttpError(500, `fake GitHub crashed: ${String(err)}`));
    }
    if (deps.validateResponses) {
      const problems = deps.validator.validateResponse({ method, template: match.op.template, status: result.status, body: result.body });
      if (problems.length > 0) deps.responseErrors.push({ route: route!, errors: problems });
    }
    if (result.conditional && result.status === 200) {
      const etag = etagOf(result.body);
      const headers = { ...result.headers, etag, "cache-control": "private, max-age=60, s-maxage=60", vary: "Accept, Authorization" };
      if (req.headers["if-none-match"] === etag) return send({ status: 304, headers });
      return send({ ...result, headers });
    }
    send(result);
  };
}
