/**
 * The routes of PRODUCT.md's public contract. Each verifies its signature or bearer token on
 * the raw body before looking at the content and answers 401 when it is missing or wrong.
 */
import type { RequestListener } from "node:http";
import type { ServiceDeps } from "../../services/deps.ts";
import { onPullRequestClosed } from "../../services/grants/pull-request-events.ts";
import { onPullRequestReview } from "../../services/grants/review-check.ts";
import { handleIntrospection } from "../credentials/introspection-http.ts";
import { onReviewPullRequestClosed } from "../../services/reviews/review-prs.ts";
import { parseGithubWebhook } from "../github/webhook.ts";
import type { PromMetrics } from "./metrics.ts";
import type { Route, RouteResult } from "./server.ts";

export const BODY_LIMITS = {
  slack: 256 * 1024,
  githubWebhook: 5 * 1024 * 1024,
  introspection: 16 * 1024,
  directory: 64 * 1024,
} as const;

/** Slack rejects requests older than 5 minutes; we also reject ones from the future. */
const SLACK_MAX_SKEW_SEC = 300;

export interface RouteDeps {
  services: ServiceDeps;
  slackListener: RequestListener | null;
  githubWebhookSecret: string | null;
  introspectionToken: string | null;
  metrics: PromMetrics;
  /** /healthz: the process runs (always 200); `status` says starting, ready or stopping. */
  liveness(): { status: string };
  /** /readyz: per dependency (adapters/lifecycle/dependency-health.ts); 503 when not ready. */
  readiness(): Promise<{ ready: boolean } & Record<string, unknown>>;
  /** Extra routes (the directory hook) added by later features. */
  extra?: Route[];
}

export function buildRoutes(d: RouteDeps): Route[] {
  const routes: Route[] = [
    { kind: "buffered", method: "GET", path: "/healthz", maxBytes: 0, handle: async () => ({ status: 200, body: d.liveness() }) },
    {
      kind: "buffered",
      method: "GET",
      path: "/readyz",
      maxBytes: 0,
      handle: async () => {
        const body = await d.readiness();
        return { status: body.ready ? 200 : 503, body };
      },
    },
    {
      kind: "buffered",
      method: "GET",
      path: "/metrics",
      maxBytes: 0,
      handle: async () => ({ status: 200, body: await d.metrics.registry.metrics(), headers: { "content-type": d.metrics.registry.contentType } }),
    },
    { kind: "buffered", method: "GET", path: "/.well-known/jwks.json", maxBytes: 0, handle: async () => ({ status: 200, body: d.services.signer.jwks(), headers: { "cache-control": "public, max-age=300" } }) },
    {
      kind: "buffered",
      method: "POST",
      path: "/oauth/introspect",
      maxBytes: BODY_LIMITS.introspection,
      handle: async (req) => {
        const result = await handleIntrospection(
          { authorization: header(req.headers.authorization), contentType: header(req.headers["content-type"]), body: req.body },
          { signer: d.services.signer, credentials: d.services.credentials, grants: d.services.grants, clock: d.services.clock, usage: d.services.usage, introspectionToken: d.introspectionToken ?? "" },
        );
        return { status: result.status, body: result.body, headers: result.headers };
      },
    },
  ];
  if (d.slackListener) {
    const listener = d.slackListener;
    routes.push({
      kind: "raw",
      method: "POST",
      path: "/slack/events",
      maxBytes: BODY_LIMITS.slack,
      listener: (req, res) => {
        const ts = Number(header(req.headers["x-slack-request-timestamp"]));
        const now = Math.floor(d.services.clock.now() / 1000);
        if (!Number.isFinite(ts) || ts - now > SLACK_MAX_SKEW_SEC || now - ts > SLACK_MAX_SKEW_SEC || !req.headers["x-slack-signature"]) {
          req.resume();
          res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid or stale Slack signature" }));
          return;
        }
        listener(req, res);
      },
    });
  }
  if (d.githubWebhookSecret) {
    const secret = d.githubWebhookSecret;
    routes.push({ kind: "buffered", method: "POST", path: "/github/webhook", maxBytes: BODY_LIMITS.githubWebhook, handle: (req) => githubWebhook(d.services, secret, req.headers, req.body) });
  }
  return [...routes, ...(d.extra ?? [])];
}

async function githubWebhook(services: ServiceDeps, secret: string, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<RouteResult> {
  const parsed = await parseGithubWebhook({ headers, rawBody: body, secret, repository: services.settings.repository });
  if (parsed.status !== 202) return { status: parsed.status, body: { error: parsed.error } };
  const event = parsed.event;
  if (event.kind === "ignored") return { status: 202, body: { ignored: event.why } };
  if (!await services.deliveries.firstSeen("github", event.deliveryId, services.clock.now())) {
    return { status: 200, body: { duplicate: true } };
  }
  if (event.kind === "pull_request_closed") {
    const outcome = await onPullRequestClosed(services, { number: event.number, merged: event.merged, by: event.mergedBy, mergeSha: event.mergeSha, source: "webhook" });
    // Not a grant PR: maybe an access-review PR (its check reads the PR from the API).
    if (outcome === "ignored" && await onReviewPullRequestClosed(services, event.number) === "checking") return { status: 202, body: { outcome: "review_checking" } };
    return { status: 202, body: { outcome } };
  }
  if (event.kind === "pull_request_review") {
    // Approvals so far: re-read the PR's reviews and update its request card (review-check.ts).
    return { status: 202, body: { outcome: await onPullRequestReview(services, event.number) } };
  }
  return { status: 202, body: { outcome: "recorded" } };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
