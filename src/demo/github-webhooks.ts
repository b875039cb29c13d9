/**
 * GitHub webhook deliveries for `grantbot demo`: signed exactly like GitHub (`X-Hub-Signature-256:
 * sha256=` HMAC of the raw body, with `@octokit/webhooks-methods`). The demo's payloads carry the
 * fields of a real delivery that grantbot reads, and a few around them; the tests build theirs
 * from `@octokit/webhooks-examples` (test/fakes/github-webhooks.ts), a dev dependency the
 * installed package does without.
 */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";

export interface SignedWebhook {
  headers: { "x-github-event": string; "x-github-delivery": string; "x-hub-signature-256": string; "content-type": string };
  body: string;
}

/** Serialises and signs a delivery exactly like GitHub (`sha256=` HMAC of the raw body). */
export async function signWebhook(event: string, payload: unknown, secret: string, opts: { deliveryId?: string } = {}): Promise<SignedWebhook> {
  const body = JSON.stringify(payload);
  return {
    headers: {
      "x-github-event": event,
      "x-github-delivery": opts.deliveryId ?? randomUUID(),
      "x-hub-signature-256": await sign(secret, body),
      "content-type": "application/json",
    },
    body,
  };
}

/** What the demo knows about a pull request (the fake GitHub's record of it). */
export interface DemoPull {
  number: number;
  title: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  merged: boolean;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  mergedAt: string | null;
  closedAt: string | null;
}

function repositoryOf(fullName: string): Record<string, unknown> {
  const [owner, name] = fullName.split("/") as [string, string];
  return { name, full_name: fullName, private: true, html_url: `https://github.test/${fullName}`, owner: { login: owner, type: "Organization" } };
}

function user(login: string): Record<string, unknown> {
  return { login, type: "User", html_url: `https://github.test/${login}` };
}

/** `pull_request.closed` for a PR that was merged or closed. */
export function pullRequestClosedPayload(repository: string, pr: DemoPull): Record<string, unknown> {
  const repo = repositoryOf(repository);
  return {
    action: "closed",
    number: pr.number,
    pull_request: {
      number: pr.number,
      html_url: `https://github.test/${repository}/pull/${pr.number}`,
      title: pr.title,
      state: "closed",
      closed_at: pr.closedAt ?? pr.mergedAt,
      merged: pr.merged,
      merged_at: pr.merged ? pr.mergedAt : null,
      merged_by: pr.merged && pr.mergedBy ? user(pr.mergedBy) : null,
      merge_commit_sha: pr.merged ? pr.mergeCommitSha : null,
      head: { ref: pr.headRef, sha: pr.headSha, repo },
      base: { ref: pr.baseRef, repo },
    },
    repository: repo,
    sender: user(pr.mergedBy ?? "octocat"),
  };
}

/** `pull_request_review.submitted` for a review by `login` (`state` in REST spelling, e.g. APPROVED). */
export function reviewSubmittedPayload(repository: string, pr: DemoPull, review: { id: number; login: string; state: string; commitId: string }): Record<string, unknown> {
  const repo = repositoryOf(repository);
  return {
    action: "submitted",
    review: { id: review.id, user: user(review.login), state: review.state.toLowerCase(), commit_id: review.commitId, html_url: `https://github.test/${repository}/pull/${pr.number}#pullrequestreview-${review.id}` },
    pull_request: { number: pr.number, title: pr.title, state: "open", head: { ref: pr.headRef, sha: pr.headSha, repo }, base: { ref: pr.baseRef, repo } },
    repository: repo,
    sender: user(review.login),
  };
}
