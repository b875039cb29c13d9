/**
 * Opening a PR that MODIFIES one existing file (the access-review PRs edit grants/catalog.yaml):
 * one commit on a new branch, then the PR and its labels.
 *   1. git.getRef            heads/<base>              -> the base commit
 *   2. git.createRef         refs/heads/<branch>       -> the branch, at the base commit
 *   3. repos.getContent      <path>?ref=<branch>       -> the text to edit and its blob sha
 *   4. repos.createOrUpdateFileContents (with that sha: GitHub refuses it if the file moved)
 *   5. pulls.create, 6. issues.addLabels
 * `edit` is applied to the file as it is on the new branch (= the base head), so the change is
 * always made against the current catalog, never a cached copy. It must be idempotent: a retry
 * after a crash may find the branch already edited and applies it to its own output, which must
 * change nothing (then no second commit is made). An edit that changes nothing on a fresh branch
 * is refused (`target_rejected`) and the branch deleted: a PR with no diff helps nobody.
 */
import { AppError } from "../../domain/errors.ts";
import type { OpenedChange } from "../../services/ports/index.ts";
import { readTextFile, type RepoCoordinates } from "./contents.ts";
import { messageOf, statusOf, toGithubError } from "./errors.ts";

export interface OpenEditInput {
  branch: string;
  path: string;
  edit: (text: string) => string;
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
  await call(at, `issues.addLabels #${pr.number}`, () => at.octokit.rest.issues.addLabels({ owner: at.owner, repo: at.repo, issue_number: pr.number, labels: missing }));
}

/** Edits the file on the branch; false when the edit changed nothing (already applied). */
async function commitEdit(at: Target, input: OpenEditInput): Promise<boolean> {
  const file = await readTextFile(at, input.path, input.branch);
  if (file.kind !== "file") throw new AppError("target_rejected", `${input.path} does not exist on ${input.branch}`, { retryable: false });
  const edited = input.edit(file.text);
  if (edited === file.text) return false;
  try {
    await at.octokit.rest.repos.createOrUpdateFileContents({
      owner: at.owner,
      repo: at.repo,
      path: input.path,
      branch: input.branch,
      sha: file.sha,
      message: input.commitMessage,
      content: Buffer.from(edited, "utf8").toString("base64"),
    });
  } catch (err) {
    if (statusOf(err) === 409) throw new AppError("target_unavailable", `GitHub repos.createOrUpdateFileContents ${input.path}: 409 conflict`, { cause: err });
    throw toGithubError(err, `repos.createOrUpdateFileContents ${input.path}`, at.now);
  }
  return true;
}

function opened(pr: ListedPull): OpenedChange {
  return { number: pr.number, url: pr.html_url, headSha: pr.head.sha };
}

export async function openEdit(at: Target, input: OpenEditInput): Promise<OpenedChange> {
  const base = await call(at, `git.getRef heads/${at.baseBranch}`, () => at.octokit.rest.git.getRef({ owner: at.owner, repo: at.repo, ref: `heads/${at.baseBranch}` }));
  let resumed = false;
  try {
    await at.octokit.rest.git.createRef({ owner: at.owner, repo: at.repo, ref: `refs/heads/${input.branch}`, sha: base.data.object.sha });
  } catch (err) {
    if (!(statusOf(err) === 422 && /already exists/i.test(messageOf(err)))) throw toGithubError(err, `git.createRef ${input.branch}`, at.now);
    resumed = true;
  }
  if (resumed) {
    const existing = await findPull(at, input.branch);
    if (existing) {
      await addLabels(at, existing, input.labels);
      return opened(existing);
    }
  }
  const baseSha = base.data.object.sha;
  const changed = await commitEdit(at, input);
  if (!changed && !resumed) {
    await at.octokit.rest.git.deleteRef({ owner: at.owner, repo: at.repo, ref: `heads/${input.branch}` }).catch(() => undefined);
    throw new AppError("target_rejected", `the edit of ${input.path} changes nothing on ${at.baseBranch}`, { retryable: false });
  }
  let pr: ListedPull;
  try {
    pr = (await at.octokit.rest.pulls.create({ owner: at.owner, repo: at.repo, head: input.branch, base: at.baseBranch, title: input.title, body: input.body })).data;
  } catch (err) {
    const existing = statusOf(err) === 422 && /already exists/i.test(messageOf(err)) ? await findPull(at, input.branch) : null;
    if (!existing) throw toGithubError(err, `pulls.create ${input.branch}`, at.now);
    pr = existing;
  }
  await addLabels(at, pr, input.labels);
  return resumed ? opened(pr) : { ...opened(pr), baseSha };
}
