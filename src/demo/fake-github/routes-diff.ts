/**
 * Diffs: a PR's files, one commit's parents (git database view) and the comparison of two
 * commits — what grantbot's merge check reads to prove a grant PR changed only its grant file.
 */
import { HttpError, notFound } from "./http-error.ts";
import type { FlatEntry } from "./git-store.ts";
import type { RepoState } from "./repo-state.ts";
import { paginate, type RouteRequest, type Routes } from "./routing.ts";
import { gitCommit, repoCommit } from "./shapes-repo.ts";

const REPO = "/repos/{owner}/{repo}";

interface FileChange {
  path: string;
  status: "added" | "removed" | "modified";
  sha: string;
}

/** Path-by-path difference between two commits' trees (no rename detection). */
export function diffCommits(state: RepoState, base: string | null, head: string): FileChange[] {
  const flat = (sha: string | null): Map<string, FlatEntry> => (sha === null ? new Map() : state.git.flatten(state.git.commit(sha)!.tree));
  const before = flat(base);
  const after = flat(head);
  const out: FileChange[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (!old) out.push({ path, status: "added", sha: entry.sha });
    else if (old.sha !== entry.sha) out.push({ path, status: "modified", sha: entry.sha });
  }
  for (const [path, entry] of before) if (!after.has(path)) out.push({ path, status: "removed", sha: entry.sha });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function diffEntry(req: RouteRequest, ref: string, f: FileChange) {
  const repoUrl = `${req.ctx.api}/repos/${req.ctx.owner}/${req.ctx.repo}`;
  return {
    sha: f.sha,
    filename: f.path,
    status: f.status,
    additions: 0,
    deletions: 0,
    changes: 0,
    blob_url: `${req.ctx.html}/${req.ctx.owner}/${req.ctx.repo}/blob/${ref}/${f.path}`,
    raw_url: `${req.ctx.html}/${req.ctx.owner}/${req.ctx.repo}/raw/${ref}/${f.path}`,
    contents_url: `${repoUrl}/contents/${f.path}?ref=${ref}`,
  };
}

export const diffRoutes: Routes = {
  [`GET ${REPO}/pulls/{pull_number}/files`]: (req) => {
    const pr = req.state.pull(Number(req.params["pull_number"]));
    // GitHub diffs the head against the merge base with the base branch (as it is now for an
    // open PR; for a merged one, the base as it was at the merge).
    const base = pr.merged ? req.state.git.mergeBase(pr.baseSha, pr.headSha) : req.state.git.mergeBase(req.state.branchSha(pr.baseRef) ?? pr.baseSha, pr.headSha);
    const page = paginate(req, diffCommits(req.state, base, pr.headSha));
    return { status: 200, body: page.body.map((f) => diffEntry(req, pr.headSha, f)), headers: page.headers };
  },

  [`GET ${REPO}/git/commits/{commit_sha}`]: (req) => {
    const commit = req.state.git.commit(req.params["commit_sha"]!);
    if (!commit) throw notFound();
    return { status: 200, body: gitCommit(req.ctx, commit), conditional: true };
  },

  [`GET ${REPO}/compare/{basehead}`]: (req) => {
    const [baseRef, headRef] = req.params["basehead"]!.split("...") as [string, string | undefined];
    const base = req.state.git.resolve(baseRef);
    const head = headRef === undefined ? undefined : req.state.git.resolve(headRef);
    if (!base || !head) throw notFound();
    const mergeBase = req.state.git.mergeBase(base.sha, head.sha);
    if (mergeBase === null) throw new HttpError(404, "No common ancestor between the two commits");
    const ahead = [...req.state.git.ancestors(head.sha)].filter((sha) => !req.state.git.ancestors(mergeBase).has(sha));
    const behind = [...req.state.git.ancestors(base.sha)].filter((sha) => !req.state.git.ancestors(mergeBase).has(sha));
    const repoUrl = `${req.ctx.api}/repos/${req.ctx.owner}/${req.ctx.repo}`;
    const html = `${req.ctx.html}/${req.ctx.owner}/${req.ctx.repo}/compare/${base.sha}...${head.sha}`;
    const body = {
      url: `${repoUrl}/compare/${base.sha}...${head.sha}`,
      html_url: html,
      permalink_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: repoCommit(req.ctx, base),
      merge_base_commit: repoCommit(req.ctx, req.state.git.commit(mergeBase)!),
      status: ahead.length === 0 ? (behind.length === 0 ? "identical" : "behind") : behind.length === 0 ? "ahead" : "diverged",
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: ahead.map((sha) => repoCommit(req.ctx, req.state.git.commit(sha)!)),
      files: diffCommits(req.state, mergeBase, head.sha).map((f) => diffEntry(req, head.sha, f)),
    };
    return { status: 200, body };
  },
};
