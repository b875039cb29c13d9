/** Small HTTP helpers for the fake Slack server. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Args } from "./protocol.ts";

/** An injected fault: how many more calls it applies to. */
export interface Injected {
  remaining: number;
  retryAfterSec?: number;
  error?: string;
}

export function take(map: Map<string, Injected>, method: string): Injected | undefined {
  const entry = map.get(method);
  if (!entry || entry.remaining <= 0) return undefined;
  entry.remaining -= 1;
  if (entry.remaining === 0) map.delete(method);
  return entry;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function parseBody(raw: string, contentType: string | undefined, formPayload: boolean): Args {
  if (raw.length === 0) return {};
  if ((contentType ?? "").includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === "object" && parsed !== null ? (parsed as Args) : {};
    } catch {
      return { invalid_json: raw };
    }
  }
  const args: Args = Object.fromEntries(new URLSearchParams(raw));
  if (formPayload && typeof args.payload === "string") {
    try { return JSON.parse(args.payload) as Args; } catch { /* keep the form */ }
  }
  return args;
}

export function bearer(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

export function collectTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectTexts);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === "text" && typeof v === "string" ? [v] : collectTexts(v)));
}
