/**
 * Route table types and helpers shared by the fake's handlers: matching Octokit's URL-encoded
 * paths against OpenAPI templates, pagination with `Link` headers.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { OperationInfo } from "./openapi-validator.ts";
import type { RepoState } from "./repo-state.ts";
import type { ShapeContext } from "./shapes-repo.ts";

export interface RouteRequest {
  method: string;
  template: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body, already validated against the operation's OpenAPI schema. */
  body: any;
  headers: IncomingHttpHeaders;
  /** The bearer/token credential the request carried. */
  token: string;
  ctx: ShapeContext;
  state: RepoState;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer 304 when `If-None-Match` matches the body's ETag (200 responses only). */
  conditional?: boolean;
}

export type Handler = (req: RouteRequest) => RouteResult | Promise<RouteResult>;

/** Handlers keyed by `"METHOD /template"`, exactly as in the OpenAPI subset. */
export type Routes = Record<string, Handler>;

export interface MatchedRoute {
  op: OperationInfo;
  params: Record<string, string>;
}

/**
 * Matches a request path (still percent-encoded) against the operations. Each `{param}` takes
 * one segment, except a multi-segment last parameter (`{path}`, `{ref}`, `{branch}`), which also
 * takes the rest — Octokit sends `heads%2Fmain`, other clients `heads/main`; both decode the same.
 */
export function matchRoute(ops: OperationInfo[], method: string, rawPath: string): MatchedRoute | null {
  const segments = rawPath.split("/").slice(1);
  let fallback: MatchedRoute | null = null;
  for (const op of ops) {
    if (op.method !== method) continue;
    const parts = op.template.split("/").slice(1);
    const multi = op.multiSegment !== null;
    if (segments.length !== parts.length && !(multi && segments.length > parts.length)) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i]!;
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      const isLast = i === parts.length - 1;
      const raw = isLast && multi ? segments.slice(i).join("/") : segments[i]!;
      if (name === undefined) ok = part === raw;
      else if (raw === "") ok = false;
      else params[name] = safeDecode(raw);
    }
    if (!ok) continue;
    if (segments.length === parts.length) return { op, params };
    fallback ??= { op, params };
  }
  return fallback;
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** GitHub paging (`per_page` default 30, max 100; `page` from 1) with a `Link` header. */
export function paginate<T>(req: RouteRequest, items: T[]): { body: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.query["per_page"] ?? 30)));
  const page = Math.max(1, Number(req.query["page"] ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string) => {
    const query = new URLSearchParams({ ...req.query, per_page: String(perPage), page: String(p) });
    const path = req.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(req.params[name] ?? ""));
    return `<${req.ctx.api}${path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
  return { body, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}
