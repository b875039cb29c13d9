/**
 * `POST /hooks/directory`: signed leaver/mover events from an HR system or IdP (PRODUCT.md).
 *
 *   X-Grantbot-Timestamp: <unix seconds>
 *   X-Grantbot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with GRANTBOT_DIRECTORY_SECRET>
 *   {"type":"leaver"|"mover","email":"...","at":"<RFC 3339>","attributes":{...}}
 *
 * 401: signature missing or wrong, or timestamp more than 5 minutes away from now. 400: body is
 * not a valid event. 409: this exact signed delivery was received before (replay). 202: applied.
 * The route is only registered when GRANTBOT_DIRECTORY_SECRET is set (otherwise 404).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { ServiceDeps } from "../../services/deps.ts";
import { onDirectoryPush } from "../../services/leavers/directory-push.ts";
import type { RawRequest, Route, RouteResult } from "./server.ts";

export const DIRECTORY_HOOK_PATH = "/hooks/directory";
export const DIRECTORY_HOOK_WINDOW_SEC = 300;
const MAX_BODY_BYTES = 64 * 1024;

export const directoryEventSchema = z.object({
  type: z.enum(["leaver", "mover"], { error: 'type must be "leaver" or "mover"' }),
  email: z.email("email must be an email address").max(254),
  at: z.iso.datetime({ offset: true, message: "at must be an RFC 3339 time such as 2026-11-22T10:00:00Z" }),
  attributes: z
    .looseObject({
      groups: z.array(z.string().min(1).max(256)).max(1000).optional(),
      manager: z.email("attributes.manager must be the manager's email").optional(),
      displayName: z.string().max(256).optional(),
    })
    .default({}),
});

/** `sha256=<hex>` for a body (used by tests and by senders written in TypeScript). */
export function signDirectoryEvent(secret: string, timestampSec: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestampSec}.`).update(rawBody).digest("hex")}`;
}

function header(req: RawRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unauthorized(error: string): RouteResult {
  return { status: 401, body: { error } };
}

export async function handleDirectoryHook(services: ServiceDeps, secret: string, req: RawRequest): Promise<RouteResult> {
  const tsText = header(req, "x-grantbot-timestamp");
  const signature = header(req, "x-grantbot-signature");
  if (!tsText || !signature) return unauthorized("X-Grantbot-Timestamp and X-Grantbot-Signature are required");
  if (!/^\d{1,12}$/.test(tsText)) return unauthorized("X-Grantbot-Timestamp must be unix seconds");
  const expected = Buffer.from(signDirectoryEvent(secret, Number(tsText), req.body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return unauthorized("signature does not match");
  const now = services.clock.now();
  if (Math.abs(Math.floor(now / 1000) - Number(tsText)) > DIRECTORY_HOOK_WINDOW_SEC) {
    return unauthorized("timestamp is more than 5 minutes away from now; re-sign the event");
  }

  let json: unknown;
  try {
    json = JSON.parse(req.body.toString("utf8"));
  } catch {
    return { status: 400, body: { error: "body is not JSON" } };
  }
  const parsed = directoryEventSchema.safeParse(json);
  if (!parsed.success) {
    return { status: 400, body: { error: "invalid directory event", issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) } };
  }
  const event = parsed.data;
  const outcome = await onDirectoryPush(services, { type: event.type, email: event.email, at: Date.parse(event.at), attributes: event.attributes }, signature.slice("sha256=".length));
  if (outcome.type === "replay") return { status: 409, body: { error: "this signed delivery was already received (replay)" } };
  services.log.info({ type: event.type, email: event.email }, "directory push applied");
  return { status: 202, body: outcome.type === "leaver" ? { outcome: "offboarding", ...outcome.offboarding } : { outcome: "eligibility check queued" } };
}

export function directoryHookRoute(services: ServiceDeps, secret: string): Route {
  return { kind: "buffered", method: "POST", path: DIRECTORY_HOOK_PATH, maxBytes: MAX_BODY_BYTES, handle: (req) => handleDirectoryHook(services, secret, req) };
}
