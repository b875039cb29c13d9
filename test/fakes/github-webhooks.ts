/**
 * GitHub webhook deliveries for tests: payloads start from the community examples in
 * `@octokit/webhooks-examples` (real deliveries), patched with the fake repository's PR number,
 * head sha, merge fields etc., then signed with `@octokit/webhooks-methods` like GitHub does.
 * Note: the examples' `pull_request.closed` payloads are unmerged; `merged`, `merged_at`,
 * `merged_by` and `merge_commit_sha` are set here for a merge.
 */
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import type { FakeGitHub } from "./fake-github/index.ts";

/** Signing is the demo's (src/demo/github-webhooks.ts): one copy. */
export { signWebhook, type SignedWebhook } from "../../src/demo/github-webhooks.ts";

const require = createRequire(import.meta.url);
const definitions = require("@octokit/webhooks-examples") as WebhookDefinition[];

/** Webhook payloads are free-form JSON here; the parser under test validates them. */
type Payload = Record<string, any>;

function example(event: string, action: string): Payload {
  const definition = definitions.find((d) => d.name === event);
  const found = (definition?.examples as Payload[] | undefined)?.find((e) => e["action"] === action);
  if (!found) throw new Error(`no ${event}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

/** Points every repository object of the payload at `owner/name`. */
function patchRepository(payload: Payload, repository: string): void {
  const [owner, name] = repository.split("/") as [string, string];
  const repos = [payload["repository"], payload["pull_request"]?.head?.repo, payload["pull_request"]?.base?.repo];
  for (const repo of repos) {
    if (!repo) continue;
    repo.name = name;
    repo.full_name = repository;
    repo.html_url = `https://github.test/${repository}`;
    if (repo.owner) repo.owner.login = owner;
  }
}

export interface PullRequestFields {
  repository: string;
  number: number;
  headSha: string;
  headRef: string;
  baseRef?: string;
  title?: string;
  /** Closed PRs: merged or not. */
  merged?: boolean;
  mergeSha?: string | null;
  mergedBy?: string | null;
  mergedAt?: string | null;
}

/** A `pull_request` payload (`opened`, or `closed` merged/unmerged). */
export function pullRequestPayload(action: "opened" | "closed", f: PullRequestFields): Payload {
  const payload = example("pull_request", action);
  patchRepository(payload, f.repository);
  const pr = payload["pull_request"];
  Object.assign(pr, { number: f.number, title: f.title ?? pr.title });
  payload["number"] = f.number;
  pr.head.sha = f.headSha;
  pr.head.ref = f.headRef;
  pr.head.label = `${f.repository.split("/")[0]}:${f.headRef}`;
  pr.base.ref = f.baseRef ?? "main";
  if (action === "opened") {
    Object.assign(pr, { state: "open", merged: false, merged_at: null, merged_by: null, closed_at: null });
    return payload;
  }
  const merged = f.merged ?? false;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  Object.assign(pr, {
    state: "closed",
    closed_at: f.mergedAt ?? now,
    merged,
    merged_at: merged ? (f.mergedAt ?? now) : null,
    merged_by: merged ? { ...pr.user, login: f.mergedBy ?? "octocat" } : null,
    merge_commit_sha: merged ? (f.mergeSha ?? null) : pr.merge_commit_sha,
  });
  return payload;
}

/** A `pull_request` payload for a PR of the fake, as it stands now. */
export function pullRequestEvent(fake: FakeGitHub, number: number, opts: { repository?: string } = {}): Payload {
  const pr = fake.pull(number);
  return pullRequestPayload(pr.state === "closed" ? "closed" : "opened", {
    repository: opts.repository ?? `${fake.owner}/${fake.repo}`,
    number,
    headSha: pr.headSha,
    headRef: pr.headRef,
    baseRef: pr.baseRef,
    title: pr.title,
    merged: pr.merged,
    mergeSha: pr.mergeCommitSha,
    mergedBy: pr.mergedBy,
    mergedAt: pr.mergedAt,
  });
}

export interface ReviewFields {
  repository: string;
  number: number;
  login: string;
  /** REST spelling (`APPROVED`); webhooks carry it lower-cased. */
  state: string;
  commitId: string;
  headSha?: string;
  headRef?: string;
}

/** A `pull_request_review.submitted` payload. */
export function reviewSubmittedPayload(f: ReviewFields): Payload {
  const payload = example("pull_request_review", "submitted");
  patchRepository(payload, f.repository);
  Object.assign(payload["review"], { state: f.state.toLowerCase(), commit_id: f.commitId });
  payload["review"].user = { ...payload["review"].user, login: f.login };
  payload["pull_request"].number = f.number;
  if (f.headSha) payload["pull_request"].head.sha = f.headSha;
  if (f.headRef) payload["pull_request"].head.ref = f.headRef;
  return payload;
}

/** The review event for the fake's latest review on `number` (or `reviewId`). */
export function reviewEvent(fake: FakeGitHub, number: number, opts: { reviewId?: number; repository?: string } = {}): Payload {
  const reviews = fake.state.reviews.get(number) ?? [];
  const review = opts.reviewId === undefined ? reviews.at(-1) : reviews.find((r) => r.id === opts.reviewId);
  if (!review) throw new Error(`PR #${number} has no such review`);
  const pr = fake.pull(number);
  return reviewSubmittedPayload({
    repository: opts.repository ?? `${fake.owner}/${fake.repo}`,
    number,
    login: review.login,
    state: review.state,
    commitId: review.commitId,
    headSha: pr.headSha,
    headRef: pr.headRef,
  });
}
