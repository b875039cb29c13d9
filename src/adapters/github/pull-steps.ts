/**
 * The steps grantbot's PR-opening flows share (open-change.ts adds a grant file, open-edit.ts edits
 * the catalog): create the branch at the base head (learning from "Reference already exists" that
 * an earlier attempt got this far), find a branch's PR, open the PR (or find the one a concurrent
 * attempt opened), add the missing labels. Each step is safe to repeat.
 */
import type { OpenedChange } from "../../services/ports/index.ts";
import type { RepoCoordinates } from "./contents.ts";
import { messageOf, statusOf, toGithubError } from "./errors.ts";

export interface PullTarget extends RepoCoordinates {
  baseBranch: string;
}

export interface ListedPull {
  number: number;
  html_url: string;
  head: { sha: string };
  labels: Array<{ name?: string }>;
}

export async function call<T>(at: PullTarget, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toGithubError(err, what, at.now);
  }
}

function isAlreadyExists(err: unknown): boolean {
  return statusOf(err) === 422 && /already exists/i.test(messageOf(err));
}

/** getRef of the base, then createRef of `branch` there. `resumed`: the branch already existed. */
export async function createBranch(at: PullTarget, branch: string): Promise<{ baseSha: string; resumed: boolean }> {
  const base = await call(at, `git.getRef heads/${at.baseBranch}`, () => at.octokit.rest.git.getRef({ owner: at.owner, repo: at.repo, ref: `heads/${at.baseBranch}` }));
  const baseSha = base.data.object.sha;
  try {
    await at.octokit.rest.git.createRef({ owner: at.owner, repo: at.repo, ref: `refs/heads/${branch}`, sha: baseSha });
    return { baseSha, resumed: false };
  } catch (err) {
    if (!isAlreadyExists(err)) throw toGithubError(err, `git.createRef ${branch}`, at.now);
    return { baseSha, resumed: true };
  }
}

/** The PR (any state) whose head is `branch` in this repository, newest first. */
export async function findPull(at: PullTarget, branch: string): Promise<ListedPull | null> {
  const { data } = await call(at, `pulls.list head=${branch}`, () =>
    at.octokit.rest.pulls.list({ owner: at.owner, repo: at.repo, head: `${at.owner}:${branch}`, state: "all", per_page: 10 }),
  );
  return data[0] ?? null;
}

/** pulls.create; when a concurrent attempt opened it between our list and create, that PR. */
export async function createPull(at: PullTarget, input: { branch: string; title: string; body: string }): Promise<ListedPull> {
  try {
    return (await at.octokit.rest.pulls.create({ owner: at.owner, repo: at.repo, head: input.branch, base: at.baseBranch, title: input.title, body: input.body })).data;
  } catch (err) {
    const existing = isAlreadyExists(err) ? await findPull(at, input.branch) : null;
    if (!existing) throw toGithubError(err, `pulls.create ${input.branch}`, at.now);
    return existing;
  }
}

export async function addLabels(at: PullTarget, pr: ListedPull, labels: string[]): Promise<void> {
  const present = new Set(pr.labels.map((l) => l.name?.toLowerCase()));
  const missing = labels.filter((l) => !present.has(l.toLowerCase()));
  if (missing.length === 0) return;
  await call(at, `issues.addLabels #${pr.number}`, () => at.octokit.rest.issues.addLabels({ owner: at.owner, repo: at.repo, issue_number: pr.number, labels: missing }));
}

export function opened(pr: ListedPull): OpenedChange {
  return { number: pr.number, url: pr.html_url, headSha: pr.head.sha };
}
