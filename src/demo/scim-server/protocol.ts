/**
 * Request pre-processing in front of the scimmy routers, plus the AWS IAM Identity Center
 * emulation (profile "aws-identity-center").
 *
 * Express 5 makes `req.query` a getter that re-parses the URL on every access, so
 * scimmy-routers' cast of `startIndex`/`count` to numbers is lost and scimmy ignores paging.
 * We pin a parsed, cast copy as an own property.
 */
import type { NextFunction, Request, Response } from "express";
import { extractLiterals, FilterSyntaxError, isEqAndOnly } from "./filtering.ts";
import { lieAboutPage, type ScimLies } from "./lies.ts";
import type { HandlerContext, ServerProfile } from "./scimmy-handlers.ts";
import type { ScimStore } from "./store.ts";

const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
/** AWS caps ListUsers/ListGroups pages at 100. */
const AWS_MAX_COUNT = 100;

export interface ProtocolState {
  store: ScimStore;
  profile: ServerProfile;
  pageSize: number;
  lies: ScimLies;
}

function sendError(res: Response, status: number, scimType: string | null, detail: string): void {
  res
    .status(status)
    .type("application/scim+json")
    .end(JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail }));
}

function encodeCursor(startIndex: number): string {
  return Buffer.from(`i:${startIndex}`).toString("base64url");
}

function decodeCursor(cursor: string): number | null {
  if (cursor === "") return 1;
  const hit = /^i:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return hit ? Number(hit[1]) : null;
}

/** Remove ops AWS refuses: "remove all" (path `members` with neither filter nor value). */
function isRemoveAll(body: unknown): boolean {
  const ops = (body as { Operations?: { op?: string; path?: string; value?: unknown }[] } | undefined)?.Operations;
  return (ops ?? []).some(
    (op) => op.op?.toLowerCase() === "remove" && op.path?.trim() === "members" && op.value === undefined,
  );
}

export function protocolMiddleware(state: ProtocolState, contexts: WeakMap<Request, HandlerContext>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const aws = state.profile === "aws-identity-center";
    const query = { ...(req.query as Record<string, unknown>) };
    for (const key of ["startIndex", "count"]) {
      const raw = query[key];
      if (typeof raw === "string" && /^-?\d+$/.test(raw)) query[key] = Number(raw);
    }
    let literals: string[] = [];
    if (typeof query.filter === "string") {
      try {
        const extracted = extractLiterals(query.filter, { raw: state.lies.rawFilterValues === true });
        query.filter = extracted.filter;
        literals = extracted.literals;
      } catch (error) {
        if (error instanceof FilterSyntaxError) return sendError(res, 400, "invalidFilter", error.message);
        throw error;
      }
      if (aws && !isEqAndOnly(query.filter as string)) {
        return sendError(res, 400, "invalidFilter", "Only 'eq' comparisons joined by 'and' are supported");
      }
    }
    const cursorMode = aws && typeof query.cursor === "string";
    if (aws) {
      if (req.method === "PATCH" && isRemoveAll(req.body)) {
        return sendError(res, 400, "invalidValue", "remove all members is not supported");
      }
      delete query.startIndex; // not supported by AWS
      if (typeof query.count === "number" && query.count > AWS_MAX_COUNT) {
        return sendError(res, 400, "invalidValue", `count must be <= ${AWS_MAX_COUNT}`);
      }
      if (cursorMode) {
        const start = decodeCursor(query.cursor as string);
        if (start === null) return sendError(res, 400, "invalidValue", "invalid cursor");
        query.startIndex = start;
      }
      delete query.cursor;
      rewriteAwsReplies(req, res, cursorMode, state);
    }
    if (!cursorMode && req.method === "GET" && state.lies.listStopsAfter) rewriteIndexPages(res, state);
    Object.defineProperty(req, "query", { value: query, writable: true, configurable: true, enumerable: true });
    contexts.set(req, { store: state.store, profile: state.profile, method: req.method, literals, pageSize: state.pageSize, lies: state.lies });
    next();
  };
}

/** The `listStopsAfter` lie on startIndex-paged lists. */
function rewriteIndexPages(res: Response, state: ProtocolState): void {
  const send = res.send.bind(res);
  res.send = ((body?: unknown) => {
    if (body === null || typeof body !== "object" || Buffer.isBuffer(body)) return send(body as never);
    const list = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    if (!Array.isArray(list.Resources) || typeof list.totalResults !== "number") return send(body as never);
    return send(lieAboutPage(list, state.lies, "index", Number(list.startIndex ?? 1), list.totalResults) as never);
  }) as Response["send"];
}

/** AWS answers PATCH with 204 and pages lists with `cursor`/`nextCursor` (no totalResults). */
function rewriteAwsReplies(req: Request, res: Response, cursorMode: boolean, state: ProtocolState): void {
  const send = res.send.bind(res);
  res.send = ((body?: unknown) => {
    if (req.method === "PATCH" && res.statusCode === 200) {
      res.status(204);
      return send();
    }
    if (cursorMode && body !== null && typeof body === "object" && !Buffer.isBuffer(body)) {
      const list = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
      if (Array.isArray(list.Resources) && typeof list.totalResults === "number") {
        const start = Number(list.startIndex ?? 1);
        const end = start + list.Resources.length - 1;
        const { totalResults, startIndex: _ignored, ...rest } = list;
        const page: Record<string, unknown> = { ...rest, itemsPerPage: list.Resources.length };
        if (list.Resources.length > 0 && end < (totalResults as number)) page.nextCursor = encodeCursor(end + 1);
        return send(lieAboutPage(page, state.lies, "cursor", start, totalResults as number));
      }
    }
    return send(body as never);
  }) as Response["send"];
}
