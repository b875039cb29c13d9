/**
 * The HTTP shape of `POST /oauth/introspect` (RFC 7662), independent of any server framework:
 * the route passes the raw request parts in and writes `{ status, headers, body }` out.
 *
 * - Callers (resource servers) authenticate with `Authorization: Bearer <GRANTBOT_INTROSPECTION_TOKEN>`,
 *   compared in constant time; otherwise 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3).
 * - The body is `application/x-www-form-urlencoded` with `token=` (RFC 7662 §2.1); a JSON body
 *   `{"token": "..."}` is accepted too. `token_type_hint` is ignored (one token type).
 * - No token -> 400 `invalid_request`. Otherwise 200 with the introspection result.
 * Every answer carries `Cache-Control: no-store`: an introspection result must not outlive the grant.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Secret } from "../../config/secret.ts";
import { introspectCredential, type IntrospectionDeps } from "../../services/credentials/introspect-credential.ts";

export interface IntrospectionRequest {
  /** The `Authorization` header, if any. */
  authorization?: string | null | undefined;
  /** The `Content-Type` header, if any. */
  contentType?: string | null | undefined;
  /** The raw request body. */
  body: string | Buffer;
}

export interface IntrospectionResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface IntrospectionHttpDeps extends IntrospectionDeps {
  /** GRANTBOT_INTROSPECTION_TOKEN. When empty every request is refused. */
  introspectionToken: Secret | string;
}

/** Larger bodies are refused before parsing (a token is a few hundred bytes). */
export const MAX_INTROSPECTION_BODY_BYTES = 16 * 1024;

const BASE_HEADERS = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };

export async function handleIntrospection(
  req: IntrospectionRequest,
  deps: IntrospectionHttpDeps,
): Promise<IntrospectionResponse> {
  const presented = bearerOf(req.authorization);
  if (presented === null) {
    return reply(401, { error: "invalid_token" }, { "www-authenticate": 'Bearer realm="grantbot"' });
  }
  if (!tokenMatches(presented, deps.introspectionToken)) {
    return reply(401, { error: "invalid_token" }, {
      "www-authenticate": 'Bearer realm="grantbot", error="invalid_token"',
    });
  }

  const token = tokenFromBody(req.body, req.contentType);
  if (token === null) {
    return reply(400, { error: "invalid_request", error_description: "the request has no token parameter" });
  }
  return reply(200, await introspectCredential(deps, token));
}

function reply(status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): IntrospectionResponse {
  return { status, headers: { ...BASE_HEADERS, ...extra }, body };
}

function bearerOf(header: string | null | undefined): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Constant time over SHA-256 digests, so neither content nor length leaks through timing. */
function tokenMatches(presented: string, expected: Secret | string): boolean {
  const wanted = typeof expected === "string" ? expected : expected.reveal();
  if (wanted.length === 0) return false;
  return timingSafeEqual(sha256(presented), sha256(wanted));
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function tokenFromBody(raw: string | Buffer, contentType: string | null | undefined): string | null {
  const byteLength = typeof raw === "string" ? Buffer.byteLength(raw) : raw.length;
  if (byteLength === 0 || byteLength > MAX_INTROSPECTION_BODY_BYTES) return null;
  const text = typeof raw === "string" ? raw : raw.toString("utf8");
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  let token: unknown;
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      token = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).token : undefined;
    } catch {
      return null;
    }
  } else if (mediaType === "application/x-www-form-urlencoded" || mediaType === "") {
    const params = new URLSearchParams(text);
    if (params.getAll("token").length > 1) return null; // RFC 6749 §3.2: parameters must not repeat
    token = params.get("token");
  } else {
    return null;
  }
  return typeof token === "string" && token.length > 0 ? token : null;
}
