/**
 * Team memberships and GitHub App installation tokens (`POST /app/installations/{id}/access_tokens`
 * with the app's RS256 JWT, verified against the app's public key).
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { HttpError, notFound } from "./http-error.ts";
import type { Routes } from "./routing.ts";

export interface FakeAppConfig {
  appId: string;
  /** PEM or KeyObject of the app's public key. */
  publicKey: string | KeyObject;
  installationId: number;
}

/** State the app routes share with the server's authentication check. */
export interface AppTokens {
  app: FakeAppConfig | null;
  /** Installation tokens issued so far (accepted as `token ...` afterwards). */
  issued: Set<string>;
  clock: () => number;
}

/** Verifies an app JWT (RS256, `iss` = app id, not expired); returns an error message or null. */
export function checkAppJwt(jwt: string, tokens: AppTokens): string | null {
  if (!tokens.app) return "this fake has no GitHub App configured";
  const [header, payload, signature] = jwt.split(".");
  if (!header || !payload || !signature) return "A JSON web token could not be decoded";
  const key = typeof tokens.app.publicKey === "string" ? createPublicKey(tokens.app.publicKey) : tokens.app.publicKey;
  const ok = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"));
  if (!ok) return "A JSON web token could not be decoded";
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: unknown; exp?: number; iat?: number };
  if (String(claims.iss) !== String(tokens.app.appId)) return `'Issuer' claim ('iss') must be an Integer`;
  const now = Math.floor(tokens.clock() / 1000);
  if (typeof claims.exp !== "number" || claims.exp < now) return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  if (typeof claims.iat !== "number" || claims.iat > now + 60) return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
  return null;
}

export function orgRoutes(tokens: AppTokens): Routes {
  return {
    "GET /orgs/{org}/teams/{team_slug}/memberships/{username}": (req) => {
      const team = `${req.params["org"]}/${req.params["team_slug"]}`.toLowerCase();
      const login = req.params["username"]!;
      const state = req.state.teams.get(team)?.get(login.toLowerCase());
      if (state === undefined) throw notFound();
      const url = `${req.ctx.api}/organizations/1/team/${encodeURIComponent(req.params["team_slug"]!)}/memberships/${login}`;
      return { status: 200, body: { url, role: "member", state } };
    },

    "POST /app/installations/{installation_id}/access_tokens": (req) => {
      const problem = req.token.split(".").length === 3 ? checkAppJwt(req.token, tokens) : "A JSON web token could not be decoded";
      if (problem !== null) throw new HttpError(401, problem);
      if (Number(req.params["installation_id"]) !== tokens.app!.installationId) throw notFound();
      const token = `ghs_${randomBytes(18).toString("base64url")}`;
      tokens.issued.add(token);
      const expires = new Date(tokens.clock() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const permissions = { contents: "write", pull_requests: "write", issues: "write", members: "read", metadata: "read" };
      return { status: 201, body: { token, expires_at: expires, permissions, repository_selection: "selected" } };
    },
  };
}
