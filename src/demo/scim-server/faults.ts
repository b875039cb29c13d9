/**
 * Request recording, latency and failure injection for the SCIM test server: an express
 * middleware placed in front of the scimmy routers.
 */
import type { NextFunction, Request, Response } from "express";

export interface RecordedRequest {
  method: string;
  /** Path below the SCIM base URL, e.g. `/Groups/g-1`. */
  path: string;
  /** Raw query string without `?` ("" when none). */
  query: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** Response status; 0 when the client gave up before an answer (timeout). */
  status: number;
  /** When the request reached the server and when its answer was sent (epoch ms; 0 = not yet). */
  receivedAt: number;
  finishedAt: number;
}

export type RequestMatcher = (method: string, path: string) => boolean;

export interface CannedReply {
  status: number;
  /** A string is sent as is (e.g. malformed JSON); anything else is JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  match?: RequestMatcher;
}

export interface FailSpec {
  status: number;
  /** `Retry-After` header value: seconds ("7") or an HTTP date. */
  retryAfter?: string;
  scimType?: string;
  detail?: string;
  times?: number;
  match?: RequestMatcher;
}

interface Armed {
  reply: CannedReply | "hang";
  remaining: number;
  match?: RequestMatcher;
}

export class FaultInjector {
  readonly log: RecordedRequest[] = [];
  rttMs = 0;
  /** Requests received and not yet answered (or dropped), and the most there were at once. */
  inFlight = 0;
  maxInFlight = 0;
  #armed: Armed[] = [];

  respondWith(reply: CannedReply): void {
    this.#armed.push({ reply, remaining: reply.times ?? 1, match: reply.match });
  }

  failWith(spec: FailSpec): void {
    this.respondWith({
      status: spec.status,
      times: spec.times,
      match: spec.match,
      headers: {
        "content-type": "application/scim+json",
        ...(spec.retryAfter === undefined ? {} : { "retry-after": spec.retryAfter }),
      },
      body: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: String(spec.status),
        ...(spec.scimType ? { scimType: spec.scimType } : {}),
        detail: spec.detail ?? `injected failure ${spec.status}`,
      },
    });
  }

  /** The next `n` (matching) requests get no answer until the client gives up. */
  timeoutNext(n = 1, match?: RequestMatcher): void {
    this.#armed.push({ reply: "hang", remaining: n, match });
  }

  clear(): void {
    this.#armed = [];
  }

  #take(method: string, path: string): CannedReply | "hang" | null {
    const armed = this.#armed.find((a) => a.remaining > 0 && (!a.match || a.match(method, path)));
    if (!armed) return null;
    armed.remaining -= 1;
    this.#armed = this.#armed.filter((a) => a.remaining > 0);
    return armed.reply;
  }

  /** Middleware: must run after the JSON body parser and before the scimmy routers. */
  middleware() {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const queryAt = req.originalUrl.indexOf("?");
      const entry: RecordedRequest = {
        method: req.method,
        path: req.path,
        query: queryAt >= 0 ? req.originalUrl.slice(queryAt + 1) : "",
        body: req.body,
        headers: { ...req.headers },
        status: 0,
        receivedAt: Date.now(),
        finishedAt: 0,
      };
      this.log.push(entry);
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.on("finish", () => {
        entry.status = res.statusCode;
        entry.finishedAt = Date.now();
      });
      res.on("close", () => {
        this.inFlight -= 1; // "close" comes once, answered or not
      });
      if (this.rttMs > 0) await new Promise((resolve) => setTimeout(resolve, this.rttMs));
      const reply = this.#take(req.method, req.path);
      if (reply === "hang") return; // never answered; the server's close() drops the socket
      if (reply) {
        res.status(reply.status);
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        if (reply.body === undefined) res.end();
        else if (typeof reply.body === "string") res.end(reply.body);
        else res.type("application/scim+json").end(JSON.stringify(reply.body));
        return;
      }
      next();
    };
  }
}
