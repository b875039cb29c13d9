/**
 * `POST /github/webhook`: verifies `X-Hub-Signature-256` on the raw body, validates the payload
 * with zod and reduces it to the two events grantbot acts on. Everything else is acknowledged
 * (202) and ignored, so GitHub does not mark deliveries as failed. The delivery id is returned for
 * de-duplication (GitHub redelivers with the same id).
 */
import { verify } from "@octokit/webhooks-methods";
import { z } from "zod";
import type { Review } from "../../services/ports/index.ts";

export type GithubWebhookEvent =
  | { kind: "ignored"; why: string }
  | {
      kind: "pull_request_closed";
      number: number;
      merged: boolean;
      mergeSha: string | null;
      headSha: string;
      mergedBy: string | null;
      deliveryId: string;
    }
  | { kind: "pull_request_review"; number: number; login: string; state: Review["state"]; commitId: string; deliveryId: string };

export type GithubWebhookResult =
  | { status: 401; error: string }
  | { status: 400; error: string }
  | { status: 202; event: GithubWebhookEvent };

export interface GithubWebhookInput {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer | string;
  secret: string;
  /** `owner/name` of the grants repository; deliveries for other repositories are ignored. */
  repository: string;
}

const user = z.object({ login: z.string().min(1) });

/** Just enough to route: which repository, which action. */
const envelope = z.object({
  action: z.string().optional(),
  repository: z.object({ full_name: z.string() }).optional(),
});

const pullRequestClosed = z.object({
  action: z.literal("closed"),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.literal("closed"),
    merged: z.boolean().nullable().optional(),
    merged_at: z.string().nullable(),
    merge_commit_sha: z.string().nullable(),
    merged_by: user.nullable().optional(),
    head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), ref: z.string() }),
  }),
});

const reviewSubmitted = z.object({
  action: z.literal("submitted"),
  review: z.object({
    user: user.nullable(),
    state: z.string().transform((s) => s.toUpperCase()).pipe(z.enum(["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"])),
    commit_id: z.string().regex(/^[0-9a-f]{40}$/),
  }),
  pull_request: z.object({ number: z.number().int().positive() }),
});

function header(headers: GithubWebhookInput["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function problem(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "payload"}: ${i.message}`)
    .join("; ");
}

export async function parseGithubWebhook(input: GithubWebhookInput): Promise<GithubWebhookResult> {
  const signature = header(input.headers, "x-hub-signature-256");
  const body = typeof input.rawBody === "string" ? input.rawBody : input.rawBody.toString("utf8");
  if (!signature) return { status: 401, error: "missing X-Hub-Signature-256" };
  let valid = false;
  try {
    valid = await verify(input.secret, body, signature);
  } catch {
    valid = false; // malformed signature header
  }
  if (!valid) return { status: 401, error: "invalid X-Hub-Signature-256" };

  const event = header(input.headers, "x-github-event");
  const deliveryId = header(input.headers, "x-github-delivery");
  if (!event) return { status: 400, error: "missing X-GitHub-Event header" };
  if (!deliveryId) return { status: 400, error: "missing X-GitHub-Delivery header" };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { status: 400, error: "the body is not valid JSON" };
  }
  if (event !== "pull_request" && event !== "pull_request_review") {
    return { status: 202, event: { kind: "ignored", why: `event ${event}` } };
  }
  const routed = envelope.safeParse(json);
  if (!routed.success) return { status: 400, error: `invalid ${event} payload: ${problem(routed.error)}` };
  const repository = routed.data.repository?.full_name;
  if (!repository) return { status: 400, error: `invalid ${event} payload: repository.full_name is missing` };
  if (repository.toLowerCase() !== input.repository.toLowerCase()) {
    return { status: 202, event: { kind: "ignored", why: `repository ${repository}` } };
  }

  if (event === "pull_request") {
    if (routed.data.action !== "closed") return { status: 202, event: { kind: "ignored", why: `pull_request.${routed.data.action ?? "?"}` } };
    const parsed = pullRequestClosed.safeParse(json);
    if (!parsed.success) return { status: 400, error: `invalid pull_request payload: ${problem(parsed.error)}` };
    const pr = parsed.data.pull_request;
    const merged = pr.merged ?? pr.merged_at !== null;
    return {
      status: 202,
      event: {
        kind: "pull_request_closed",
        number: pr.number,
        merged,
        mergeSha: merged ? pr.merge_commit_sha : null,
        headSha: pr.head.sha,
        mergedBy: merged ? (pr.merged_by?.login ?? null) : null,
        deliveryId,
      },
    };
  }

  if (routed.data.action !== "submitted") {
    return { status: 202, event: { kind: "ignored", why: `pull_request_review.${routed.data.action ?? "?"}` } };
  }
  const parsed = reviewSubmitted.safeParse(json);
  if (!parsed.success) return { status: 400, error: `invalid pull_request_review payload: ${problem(parsed.error)}` };
  const { review, pull_request } = parsed.data;
  return {
    status: 202,
    event: {
      kind: "pull_request_review",
      number: pull_request.number,
      login: review.user?.login ?? "ghost",
      state: review.state,
      commitId: review.commit_id,
      deliveryId,
    },
  };
}
