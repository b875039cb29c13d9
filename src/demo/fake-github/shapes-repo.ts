/**
 * Response shapes shared by many endpoints (users, the repository, git objects), following the
 * schemas in github-openapi-subset.json (beside this file) so Octokit sees what GitHub sends.
 */
import { createHash } from "node:crypto";
import type { CommitObject, GitPerson } from "./git-store.ts";

/** Where the fake lives: the API base (this server) and the web base used in `html_url`s. */
export interface ShapeContext {
  api: string; // "http://127.0.0.1:1234"
  html: string; // "https://github.test"
  owner: string;
  repo: string;
  repoId: number;
  createdAt: string;
}

/** A stable numeric id for a login (GitHub ids are integers). */
export function userId(login: string): number {
  return Number.parseInt(createHash("sha1").update(login).digest("hex").slice(0, 7), 16);
}

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString("base64").replace(/=+$/, "");
}

export function simpleUser(ctx: ShapeContext, login: string) {
  const id = userId(login);
  const url = `${ctx.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId("User", id),
    avatar_url: `${ctx.html}/avatars/u/${id}`,
    gravatar_id: "",
    url,
    html_url: `${ctx.html}/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
    user_view_type: "public",
    site_admin: false,
  };
}

export function repository(ctx: ShapeContext, defaultBranch: string, openIssues: number) {
  const full = `${ctx.owner}/${ctx.repo}`;
  const url = `${ctx.api}/repos/${full}`;
  const u = (suffix: string) => `${url}/${suffix}`;
  return {
    id: ctx.repoId,
    node_id: nodeId("Repository", ctx.repoId),
    name: ctx.repo,
    full_name: full,
    owner: simpleUser(ctx, ctx.owner),
    private: true,
    html_url: `${ctx.html}/${full}`,
    description: "Grants repository (fake)",
    fork: false,
    url,
    archive_url: u("{archive_format}{/ref}"),
    assignees_url: u("assignees{/user}"),
    blobs_url: u("git/blobs{/sha}"),
    branches_url: u("branches{/branch}"),
    collaborators_url: u("collaborators{/collaborator}"),
    comments_url: u("comments{/number}"),
    commits_url: u("commits{/sha}"),
    compare_url: u("compare/{base}...{head}"),
    contents_url: u("contents/{+path}"),
    contributors_url: u("contributors"),
    deployments_url: u("deployments"),
    downloads_url: u("downloads"),
    events_url: u("events"),
    forks_url: u("forks"),
    git_commits_url: u("git/commits{/sha}"),
    git_refs_url: u("git/refs{/sha}"),
    git_tags_url: u("git/tags{/sha}"),
    git_url: `git://github.test/${full}.git`,
    hooks_url: u("hooks"),
    issue_comment_url: u("issues/comments{/number}"),
    issue_events_url: u("issues/events{/number}"),
    issues_url: u("issues{/number}"),
    keys_url: u("keys{/key_id}"),
    labels_url: u("labels{/name}"),
    languages_url: u("languages"),
    merges_url: u("merges"),
    milestones_url: u("milestones{/number}"),
    notifications_url: u("notifications{?since,all,participating}"),
    pulls_url: u("pulls{/number}"),
    releases_url: u("releases{/id}"),
    ssh_url: `git@github.test:${full}.git`,
    stargazers_url: u("stargazers"),
    statuses_url: u("statuses/{sha}"),
    subscribers_url: u("subscribers"),
    subscription_url: u("subscription"),
    tags_url: u("tags"),
    teams_url: u("teams"),
    trees_url: u("git/trees{/sha}"),
    clone_url: `${ctx.html}/${full}.git`,
    mirror_url: null,
    svn_url: `${ctx.html}/${full}`,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    default_branch: defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "private",
    pushed_at: ctx.createdAt,
    created_at: ctx.createdAt,
    updated_at: ctx.createdAt,
    license: null,
    allow_forking: false,
    web_commit_signoff_required: false,
  };
}

function person(p: GitPerson) {
  return { name: p.name, email: p.email, date: p.date };
}

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** `git-commit` (the Git database API's view of a commit). */
export function gitCommit(ctx: ShapeContext, c: CommitObject) {
  const repoUrl = `${ctx.api}/repos/${ctx.owner}/${ctx.repo}`;
  return {
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    url: `${repoUrl}/git/commits/${c.sha}`,
    html_url: `${ctx.html}/${ctx.owner}/${ctx.repo}/commit/${c.sha}`,
    author: person(c.author),
    committer: person(c.committer),
    tree: { sha: c.tree, url: `${repoUrl}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({ sha: p, url: `${repoUrl}/git/commits/${p}`, html_url: `${ctx.html}/${ctx.owner}/${ctx.repo}/commit/${p}` })),
    verification: UNSIGNED,
  };
}

/** `commit` (the repos API's view, as in get-branch). */
export function repoCommit(ctx: ShapeContext, c: CommitObject) {
  const repoUrl = `${ctx.api}/repos/${ctx.owner}/${ctx.repo}`;
  return {
    url: `${repoUrl}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    html_url: `${ctx.html}/${ctx.owner}/${ctx.repo}/commit/${c.sha}`,
    comments_url: `${repoUrl}/commits/${c.sha}/comments`,
    commit: {
      url: `${repoUrl}/git/commits/${c.sha}`,
      author: person(c.author),
      committer: person(c.committer),
      message: c.message,
      comment_count: 0,
      tree: { sha: c.tree, url: `${repoUrl}/git/trees/${c.tree}` },
      verification: UNSIGNED,
    },
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({ sha: p, url: `${repoUrl}/commits/${p}`, html_url: `${ctx.html}/${ctx.owner}/${ctx.repo}/commit/${p}` })),
  };
}
