/**
 * What a merged grant PR may have changed: exactly its own grant file, added, on the base branch.
 * Anything else (the catalog, people.yaml, CODEOWNERS, a workflow, another grant) could change
 * the rules the PR is judged by, or slip a second change past review under the cover of a grant,
 * so the grant is not activated. Pure.
 */
import type { PolicyFailure } from "./policy.ts";

export interface DiffFile {
  path: string;
  status: string;
  previousPath?: string;
}

export interface MergeScopeInput {
  /** The branch the PR was merged into, and the one grantbot's PRs must target. */
  baseRef: string;
  baseBranch: string;
  /** `grants/<resource>/<id>.yaml` */
  grantPath: string;
  /** The PR's files (its whole diff). */
  prFiles: readonly DiffFile[];
  /**
   * The files the merge commit changes relative to its first parent (the base before the merge).
   * Differs from `prFiles` when a rebase merge put several commits on the base: then the first
   * parent is one of the PR's own commits, and this diff shows what that last commit changed.
   */
  mergeFiles: readonly DiffFile[];
}

/** How many offending paths a message names before "and N more". */
const NAMED_PATHS = 5;

function describe(files: readonly DiffFile[]): string {
  const names = files.slice(0, NAMED_PATHS).map((f) => (f.previousPath ? `${f.previousPath} -> ${f.path} (${f.status})` : `${f.path} (${f.status})`));
  const more = files.length > NAMED_PATHS ? ` and ${files.length - NAMED_PATHS} more` : "";
  return `${names.join(", ")}${more}`;
}

function onlyTheGrant(files: readonly DiffFile[], grantPath: string): DiffFile[] {
  return files.filter((f) => f.path !== grantPath || f.status !== "added" || f.previousPath !== undefined);
}

/** null when the merge is in scope, else the failure naming what made it so. */
export function checkMergeScope(input: MergeScopeInput): PolicyFailure | null {
  if (input.baseRef !== input.baseBranch) {
    return {
      ok: false,
      code: "pr_out_of_scope",
      message: `the pull request was merged into "${input.baseRef}", not the base branch "${input.baseBranch}"; only a merge into ${input.baseBranch} approves a grant`,
    };
  }
  for (const [files, what] of [
    [input.prFiles, "the pull request"],
    [input.mergeFiles, "the merge commit"],
  ] as const) {
    const others = onlyTheGrant(files, input.grantPath);
    const hasGrant = files.some((f) => f.path === input.grantPath && f.status === "added");
    if (others.length > 0) {
      return {
        ok: false,
        code: "pr_out_of_scope",
        message: `${what} changes files besides its grant file ${input.grantPath}: ${describe(others)}; a grant PR may add exactly its one grant file`,
      };
    }
    if (!hasGrant) {
      return { ok: false, code: "pr_out_of_scope", message: `${what} does not add the grant file ${input.grantPath}` };
    }
  }
  return null;
}
