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
import type { FileEditChange, OpenedChange } from "../../services/ports/index.ts";
import { readTextFile } from "./contents.ts";
import { statusOf, toGithubError } from "./errors.ts";
import { addLabels, createBranch, createPull, findPull, opened, type PullTarget } from "./pull-steps.ts";

export type OpenEditInput = FileEditChange;

/** Edits the file on the branch; false when the edit changed nothing (already applied). */
async function commitEdit(at: PullTarget, input: OpenEditInput): Promise<boolean> {
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

export async function openEdit(at: PullTarget, input: OpenEditInput): Promise<OpenedChange> {
  const { baseSha, resumed } = await createBranch(at, input.branch);
  if (resumed) {
    const existing = await findPull(at, input.branch);
    if (existing) {
      await addLabels(at, existing, input.labels);
      return opened(existing);
    }
  }
  const changed = await commitEdit(at, input);
  if (!changed && !resumed) {
    await at.octokit.rest.git.deleteRef({ owner: at.owner, repo: at.repo, ref: `heads/${input.branch}` }).catch(() => undefined);
    throw new AppError("target_rejected", `the edit of ${input.path} changes nothing on ${at.baseBranch}`, { retryable: false });
  }
  const pr = await createPull(at, input);
  await addLabels(at, pr, input.labels);
  return resumed ? opened(pr) : { ...opened(pr), baseSha };
}
