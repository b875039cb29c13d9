/**
 * Opening a grant PR: one commit adding one file, on a new branch, then the PR and its labels.
 *
 * The first attempt makes exactly 5 API calls (the product's bar), labels included:
 *   1. git.getRef            heads/<base>            -> the base commit
 *   2. git.createRef         refs/heads/<branch>     -> the branch, at the base commit
 *   3. repos.createOrUpdateFileContents on <branch> -> the one commit adding the file
 *   4. pulls.create
 *   5. issues.addLabels      (skipped when there are no labels)
 * The Git-database route (getBranch -> createTree -> createCommit -> createRef -> pulls.create)
 * needs a 6th call for labels, and on a retry it creates a new (dangling) commit before learning
 * that the branch exists. Here the branch is created first, so a retry learns from createRef's
 * "Reference already exists" before writing anything, and checks the file before committing:
 * the branch never gets a second commit and the repository never gets a second PR.
 */
import { AppError } from "../../domain/errors.ts";
import type { OpenedChange } from "../../services/ports/index.ts";
import { readTextFile, type RepoCoordinates } from "./contents.ts";
import { messageOf, statusOf, toGithubError } from "./errors.ts";

export interface OpenChangeInput {
  branch: string;
  path: string;
  content: string;
  commitMessage: string;
  title: string;
  body: string;
  labels: string[];
}

interface Target extends RepoCoordinates {
  baseBranch: string;
}

interface ListedPull {
  number: number;
  html_url: string;
  head: { sha: string };
  labels: Array<{ name?: string }>;
}

async function call<T>(at: Target, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toGithubError(err, what, at.now);
  }
}

function isAlreadyExists(err: unknown): boolean {
  return statusOf(err) === 422 && /already exists/i.test(messageOf(err));
}

/** The PR (any state) whose head is `branch` in this repository, newest first. */
async function findPull(at: Target, branch: string): Promise<ListedPull | null> {
  const { data } = await call(at, `pulls.list head=${branch}`, () =>
    at.octokit.rest.pulls.list({ owner: at.owner, repo: at.repo, head: `${at.owner}:${branch}`, state: "all", per_page: 10 }),
  );
  return data[0] ?? null;
}

async function addLabels(at: Target, pr: ListedPull, labels: string[]): Promise<void> {
  const present = new Set(pr.labels.map((l) => l.name?.toLowerCase()));
  const missing = labels.filter((l) => !present.has(l.toLowerCase()));
  if (missing.length === 0) return;
  await call(at, `issues.addLabels #${pr.number}`, () =>
    at.octokit.rest.issues.addLabels({ owner: at.owner, repo: at.repo, issue_number: pr.number, labels: missing }),
  );
}

async function commitFile(at: Target, input: OpenChangeInput): Promise<void> {
  try {
    await at.octokit.rest.repos.createOrUpdateFileContents({
      owner: at.owner,
      repo: at.repo,
      path: input.path,
      branch: input.branch,
      message: input.commitMessage,
      content: Buffer.from(input.content, "utf8").toString("base64"),
    });
  } catch (err) {
    // 409: the branch moved under us (a concurrent attempt); the retry takes the "exists" path.
    if (statusOf(err) === 409) throw new AppError("target_unavailable", `GitHub repos.createOrUpdateFileContents ${input.path}: 409 conflict`, { cause: err });
    throw toGithubError(err, `repos.createOrUpdateFileContents ${input.path}`, at.now);
  }
}

/** The branch exists (an earlier attempt got this far): commit the file only if it is not there. */
async function resumeOnExistingBranch(at: Target, input: OpenChangeInput): Promise<void> {
  const file = await readTextFile(at, input.path, input.branch);
  if (file.kind === "absent") return commitFile(at, input);
  if (file.kind === "file" && file.text !== input.content) {
    throw new AppError("target_rejected", `branch ${input.branch} already exists with a different ${input.path}`);
  }
}

function opened(pr: ListedPull): OpenedChange {
  return { number: pr.number, url: pr.html_url, headSha: pr.head.sha };
}

export async function openChange(at: Target, input: OpenChangeInput): Promise<OpenedChange> {
  const base = await call(at, `git.getRef heads/${at.baseBranch}`, () =>
    at.octokit.rest.git.getRef({ owner: at.owner, repo: at.repo, ref: `heads/${at.baseBranch}` }),
  );
  let resumed = false;
  try {
    await at.octokit.rest.git.createRef({ owner: at.owner, repo: at.repo, ref: `refs/heads/${input.branch}`, sha: base.data.object.sha });
  } catch (err) {
    if (!isAlreadyExists(err)) throw toGithubError(err, `git.createRef ${input.branch}`, at.now);
    resumed = true;
  }
  if (resumed) {
    const existing = await findPull(at, input.branch);
    if (existing) {
      await addLabels(at, existing, input.labels);
      return opened(existing);
    }
    await resumeOnExistingBranch(at, input);
  } else {
    await commitFile(at, input);
  }
  let pr: ListedPull;
  try {
    const created = await at.octokit.rest.pulls.create({
      owner: at.owner,
      repo: at.repo,
      head: input.branch,
      base: at.baseBranch,
      title: input.title,
      body: input.body,
    });
    pr = created.data;
  } catch (err) {
    // A concurrent attempt opened it between our list and create.
    const existing = isAlreadyExists(err) ? await findPull(at, input.branch) : null;
    if (!existing) throw toGithubError(err, `pulls.create ${input.branch}`, at.now);
    pr = existing;
  }
  await addLabels(at, pr, input.labels);
  return opened(pr);
}
