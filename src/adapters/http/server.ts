/**
 * grantbot's one HTTP server (node:http). Small route table; bodies read raw with a size limit
 * (signatures are computed on the raw bytes); every route answers quickly and never throws out.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import getRawBody from "raw-body";
import type { Log } from "../../services/ports/index.ts";

export interface RawRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route =
  | { kind: "buffered"; method: string; path: string; maxBytes: number; handle(req: RawRequest): Promise<RouteResult> }
  | { kind: "raw"; method: string; path: string; maxBytes: number; listener: RequestListener };

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: Route[];
  log: Log;
  onResponse?(route: string, status: number): void;
  /** Counts requests to these paths while they are answered (interactive: Slack acks). */
  foreground?: { paths: readonly string[]; enter(): void; leave(): void };
  /** Paths still answered while draining (liveness: /healthz). */
  openWhileDraining?: readonly string[];
}

export interface HttpServer {
  server: Server;
  listen(): Promise<{ port: number; url: string }>;
  /** Shutting down: new requests get 503 (except `openWhileDraining`); those in flight finish. */
  drain(): void;
  close(): Promise<void>;
}

const DRAINING: RouteResult = { status: 503, body: { error: "grantbot is shutting down" }, headers: { connection: "close", "retry-after": "5" } };

function send(res: ServerResponse, result: RouteResult): void {
  if (res.headersSent) return;
  const isText = typeof result.body === "string";
  const payload = result.body === undefined ? "" : isText ? (result.body as string) : JSON.stringify(result.body);
  res.writeHead(result.status, {
    "content-type": isText ? "text/plain; charset=utf-8" : "application/json",
    "cache-control": "no-store",
    ...result.headers,
  });
  res.end(payload);
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  let draining = false;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (draining && !options.openWhileDraining?.includes(url.pathname)) {
      res.on("finish", () => options.onResponse?.("draining", res.statusCode));
      send(res, DRAINING);
      req.resume();
      return;
    }
    const fg = options.foreground;
    if (fg?.paths.includes(url.pathname)) {
      fg.enter();
      res.once("close", () => fg.leave());
    }
    const candidates = options.routes.filter((r) => r.path === url.pathname);
    const route = candidates.find((r) => r.method === req.method);
    const label = route ? route.path : candidates.length ? "method_not_allowed" : "not_found";
    res.on("finish", () => options.onResponse?.(label, res.statusCode));
    if (!route) {
      send(res, candidates.length ? { status: 405, body: { error: "method not allowed" }, headers: { allow: candidates.map((c) => c.method).join(", ") } } : { status: 404, body: { error: "not found" } });
      req.resume();
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > route.maxBytes) {
      send(res, { status: 413, body: { error: `body larger than ${route.maxBytes} bytes` }, headers: { connection: "close" } });
      req.resume();
      return;
    }
    try {
      if (route.kind === "raw") {
        // The limit holds for bodies without a Content-Length too (chunked): read them here, up to
        // maxBytes, and hand the listener the bytes as `req.rawBody` (the convention Bolt's receiver
        // and body-parser follow: it uses them instead of reading the stream again).
        const rawBody = await getRawBody(req, { limit: route.maxBytes });
        Object.assign(req, { rawBody });
        route.listener(req, res);
        return;
      }
      const body = await getRawBody(req, { limit: route.maxBytes });
      const result = await route.handle({ method: req.method ?? "GET", path: url.pathname, headers: req.headers, body });
      send(res, result);
    } catch (err) {
      const e = err as { type?: string; status?: number; message?: string };
      if (e.type === "entity.too.large") {
        send(res, { status: 413, body: { error: `body larger than ${route.maxBytes} bytes` }, headers: { connection: "close" } });
        return;
      }
      options.log.error({ route: route.path, err: e.message ?? String(err) }, "http route failed");
      send(res, { status: 500, body: { error: "internal error" } });
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
          const addr = server.address();
          const port = typeof addr === "object" && addr ? addr.port : options.port;
          resolve({ port, url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}` });
        });
      }),
    drain: () => {
      draining = true;
      server.closeIdleConnections();
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
