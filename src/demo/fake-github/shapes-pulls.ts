/**
 * Response shapes of pull requests, reviews, issue comments and labels (schemas
 * `pull-request`, `pull-request-simple`, `pull-request-review`, `issue-comment`, `label`).
 */
import type { CommentRecord, LabelRecord, PullRecord, RepoState, ReviewRecord } from "./repo-state.ts";
import { nodeId, repository, simpleUser, type ShapeContext } from "./shapes-repo.ts";

function label(ctx: ShapeContext, l: LabelRecord) {
  return {
    id: l.id,
    node_id: nodeId("Label", l.id),
    url: `${ctx.api}/repos/${ctx.owner}/${ctx.repo}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description ?? "",
    color: l.color,
    default: false,
  };
}

export function labels(ctx: ShapeContext, state: RepoState, names: string[]) {
  return names.map((n) => label(ctx, state.labels.get(n.toLowerCase())!));
}

function openIssues(state: RepoState): number {
  return [...state.pulls.values()].filter((p) => p.state === "open").length;
}

/** `pull-request-simple` (what pulls.list returns). */
export function pullSimple(ctx: ShapeContext, state: RepoState, pr: PullRecord) {
  const repoUrl = `${ctx.api}/repos/${ctx.owner}/${ctx.repo}`;
  const url = `${repoUrl}/pulls/${pr.number}`;
  const html = `${ctx.html}/${ctx.owner}/${ctx.repo}/pull/${pr.number}`;
  const repo = repository(ctx, state.baseBranch, openIssues(state));
  const owner = simpleUser(ctx, ctx.owner);
  const side = (ref: string, sha: string) => ({ label: `${ctx.owner}:${ref}`, ref, sha, user: owner, repo });
  return {
    url,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoUrl}/issues/${pr.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl}/pulls/comments{/number}`,
    comments_url: `${repoUrl}/issues/${pr.number}/comments`,
    statuses_url: `${repoUrl}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: simpleUser(ctx, pr.user),
    body: pr.body,
    labels: labels(ctx, state, pr.labels),
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    // GitHub fills merge_commit_sha with a test merge while the PR is open; the real one once merged.
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.headRef, pr.headSha),
    base: side(pr.baseRef, pr.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: `${repoUrl}/issues/${pr.number}` },
      comments: { href: `${repoUrl}/issues/${pr.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repoUrl}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${repoUrl}/statuses/${pr.headSha}` },
    },
    author_association: "NONE",
    auto_merge: null,
    draft: pr.draft,
  };
}

/** `pull-request` (what pulls.get / create / update return). */
export function pullFull(ctx: ShapeContext, state: RepoState, pr: PullRecord) {
  const comments = state.comments.get(pr.number)?.length ?? 0;
  return {
    ...pullSimple(ctx, state, pr),
    merged: pr.merged,
    mergeable: pr.state === "open" ? true : null,
    rebaseable: pr.state === "open" ? true : null,
    mergeable_state: pr.state === "open" ? "clean" : "unknown",
    merged_by: pr.mergedBy === null ? null : simpleUser(ctx, pr.mergedBy),
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

export function review(ctx: ShapeContext, number: number, r: ReviewRecord) {
  const prUrl = `${ctx.api}/repos/${ctx.owner}/${ctx.repo}/pulls/${number}`;
  const html = `${ctx.html}/${ctx.owner}/${ctx.repo}/pull/${number}#pullrequestreview-${r.id}`;
  return {
    id: r.id,
    node_id: nodeId("PullRequestReview", r.id),
    user: simpleUser(ctx, r.login),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: prUrl,
    _links: { html: { href: html }, pull_request: { href: prUrl } },
    ...(r.submittedAt === null ? {} : { submitted_at: r.submittedAt }),
    commit_id: r.commitId,
    author_association: "MEMBER",
  };
}

export function issueComment(ctx: ShapeContext, number: number, c: CommentRecord) {
  const repoUrl = `${ctx.api}/repos/${ctx.owner}/${ctx.repo}`;
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${repoUrl}/issues/comments/${c.id}`,
    html_url: `${ctx.html}/${ctx.owner}/${ctx.repo}/pull/${number}#issuecomment-${c.id}`,
    body: c.body,
    user: simpleUser(ctx, c.login),
    created_at: c.createdAt,
    updated_at: c.createdAt,
    issue_url: `${repoUrl}/issues/${number}`,
    author_association: "NONE",
  };
}
