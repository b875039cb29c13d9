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
import type { NewFileChange, OpenedChange } from "../../services/ports/index.ts";
import { readTextFile } from "./contents.ts";
import { statusOf, toGithubError } from "./errors.ts";
import { addLabels, createBranch, createPull, findPull, opened, type PullTarget } from "./pull-steps.ts";

export type OpenChangeInput = NewFileChange;

async function commitFile(at: PullTarget, input: OpenChangeInput): Promise<void> {
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
async function resumeOnExistingBranch(at: PullTarget, input: OpenChangeInput): Promise<void> {
  const file = await readTextFile(at, input.path, input.branch);
  if (file.kind === "absent") return commitFile(at, input);
  if (file.kind === "file" && file.text !== input.content) {
    throw new AppError("target_rejected", `branch ${input.branch} already exists with a different ${input.path}`);
  }
}

export async function openChange(at: PullTarget, input: OpenChangeInput): Promise<OpenedChange> {
  const { resumed } = await createBranch(at, input.branch);
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
  const pr = await createPull(at, input);
  await addLabels(at, pr, input.labels);
  return opened(pr);
}
