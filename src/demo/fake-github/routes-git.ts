/**
 * Branches, the Git database API (trees, commits, refs) and the contents API.
 */
import { HttpError, notFound, validationFailed } from "./http-error.ts";
import type { RouteRequest, Routes } from "./routing.ts";
import { gitCommit, nodeId, repoCommit } from "./shapes-repo.ts";

const REPO = "/repos/{owner}/{repo}";

function repoUrl(req: RouteRequest): string {
  return `${req.ctx.api}/repos/${req.ctx.owner}/${req.ctx.repo}`;
}

function gitRef(req: RouteRequest, ref: string, sha: string) {
  return {
    ref,
    node_id: nodeId("Ref", ref),
    url: `${repoUrl(req)}/git/${ref}`,
    object: { type: "commit", sha, url: `${repoUrl(req)}/git/commits/${sha}` },
  };
}

function contentFile(req: RouteRequest, path: string, sha: string, content: Buffer, ref: string) {
  const self = `${repoUrl(req)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${repoUrl(req)}/git/blobs/${sha}`;
  const html = `${req.ctx.html}/${req.ctx.owner}/${req.ctx.repo}/blob/${ref}/${path}`;
  const base64 = content.toString("base64");
  return {
    type: "file" as const,
    encoding: "base64",
    size: content.length,
    name: path.split("/").pop()!,
    path,
    // GitHub wraps the base64 content at 60 characters per line.
    content: `${base64.replace(/(.{60})/g, "$1\n")}\n`,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: `${req.ctx.html}/raw/${req.ctx.owner}/${req.ctx.repo}/${ref}/${path}`,
    _links: { self, git, html },
  };
}

export const gitRoutes: Routes = {
  [`GET ${REPO}/branches/{branch}`]: (req) => {
    const sha = req.state.branchSha(req.params["branch"]!);
    if (sha === undefined) throw new HttpError(404, "Branch not found");
    const url = `${repoUrl(req)}/branches/${req.params["branch"]}`;
    const body = {
      name: req.params["branch"],
      commit: repoCommit(req.ctx, req.state.git.commit(sha)!),
      _links: { html: `${req.ctx.html}/${req.ctx.owner}/${req.ctx.repo}/tree/${req.params["branch"]}`, self: url },
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
      protection_url: `${url}/protection`,
    };
    return { status: 200, body, conditional: true };
  },

  [`POST ${REPO}/git/trees`]: (req) => {
    const base = req.body.base_tree as string | undefined;
    if (base !== undefined && req.state.git.get(base)?.type !== "tree") throw new HttpError(422, "base_tree is not a valid tree oid");
    const changes = (req.body.tree as Array<{ path: string; mode: string; type: "blob" | "tree" | "commit"; sha?: string | null; content?: string }>).map((e) => {
      if (e.content !== undefined) return { path: e.path, mode: e.mode, type: e.type, sha: req.state.git.putBlob(e.content) };
      if (e.sha !== undefined && e.sha !== null && !req.state.git.get(e.sha)) throw new HttpError(422, "tree.sha is not a valid object");
      return { path: e.path, mode: e.mode, type: e.type, sha: e.sha ?? null };
    });
    const sha = req.state.git.applyChanges(base ?? null, changes);
    const tree = req.state.git.get(sha);
    if (tree?.type !== "tree") throw new Error("tree expected");
    const entries = tree.entries.map((e) => {
      const object = req.state.git.get(e.sha);
      const size = object?.type === "blob" ? { size: object.content.length } : {};
      return { path: e.name, mode: e.mode, type: e.type, sha: e.sha, ...size, url: `${repoUrl(req)}/git/${e.type}s/${e.sha}` };
    });
    return { status: 201, body: { sha, url: `${repoUrl(req)}/git/trees/${sha}`, tree: entries, truncated: false } };
  },

  [`POST ${REPO}/git/commits`]: (req) => {
    const git = req.state.git;
    if (git.get(req.body.tree)?.type !== "tree") throw validationFailed({ resource: "Commit", field: "tree", code: "invalid" });
    const parents = (req.body.parents ?? []) as string[];
    for (const p of parents) if (!git.commit(p)) throw validationFailed({ resource: "Commit", field: "parents", code: "invalid" });
    const me = req.state.person(req.state.botLogin);
    const author = req.body.author ? { ...me, ...req.body.author } : me;
    const committer = req.body.committer ? { ...me, ...req.body.committer } : author;
    const sha = git.putCommit({ tree: req.body.tree, parents, message: req.body.message, author, committer });
    return { status: 201, body: gitCommit(req.ctx, git.commit(sha)!) };
  },

  [`POST ${REPO}/git/refs`]: (req) => {
    const ref = req.body.ref as string;
    if (!/^refs\/.+\/.+/.test(ref)) throw new HttpError(422, `${ref} is not a valid ref name.`);
    if (req.state.git.refs.has(ref)) throw new HttpError(422, "Reference already exists");
    if (!req.state.git.commit(req.body.sha)) throw new HttpError(422, "Object does not exist");
    req.state.setRef(ref, req.body.sha);
    return { status: 201, body: gitRef(req, ref, req.body.sha), headers: { location: `${repoUrl(req)}/git/${ref}` } };
  },

  [`GET ${REPO}/git/ref/{ref}`]: (req) => {
    const ref = `refs/${req.params["ref"]}`;
    const sha = req.state.git.refs.get(ref);
    if (sha === undefined) throw notFound();
    return { status: 200, body: gitRef(req, ref, sha), conditional: true };
  },

  [`DELETE ${REPO}/git/refs/{ref}`]: (req) => {
    const ref = `refs/${req.params["ref"]}`;
    if (!req.state.git.refs.delete(ref)) throw new HttpError(422, "Reference does not exist");
    return { status: 204 };
  },

  [`GET ${REPO}/contents/{path}`]: (req) => {
    const ref = req.query["ref"] ?? req.state.baseBranch;
    const commit = req.state.git.resolve(ref);
    if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const path = req.params["path"]!.replace(/^\/+|\/+$/g, "");
    const found = req.state.git.lookup(commit.tree, path);
    if (!found) throw notFound();
    if (found.object.type === "blob") {
      return { status: 200, body: contentFile(req, path, found.object.sha, found.object.content, ref), conditional: true };
    }
    if (found.object.type !== "tree") throw notFound();
    const listing = found.object.entries.map((e) => {
      const object = req.state.git.get(e.sha);
      const p = `${path}/${e.name}`;
      const self = `${repoUrl(req)}/contents/${p}?ref=${encodeURIComponent(ref)}`;
      const git = `${repoUrl(req)}/git/${e.type}s/${e.sha}`;
      const html = `${req.ctx.html}/${req.ctx.owner}/${req.ctx.repo}/${e.type === "tree" ? "tree" : "blob"}/${ref}/${p}`;
      const type = e.type === "tree" ? "dir" : "file";
      const size = object?.type === "blob" ? object.content.length : 0;
      return { type, size, name: e.name, path: p, sha: e.sha, url: self, git_url: git, html_url: html, download_url: null, _links: { self, git, html } };
    });
    return { status: 200, body: listing, conditional: true };
  },

  [`PUT ${REPO}/contents/{path}`]: (req) => {
    const branch = (req.body.branch as string | undefined) ?? req.state.baseBranch;
    const head = req.state.branchSha(branch);
    if (head === undefined) throw new HttpError(404, `Branch ${branch} not found`);
    const path = req.params["path"]!.replace(/^\/+|\/+$/g, "");
    const existing = req.state.git.lookup(req.state.git.commit(head)!.tree, path);
    if (existing && req.body.sha === undefined) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (existing && req.body.sha !== existing.entry.sha) throw new HttpError(409, `${path} does not match ${req.body.sha}`);
    if (!existing && req.body.sha !== undefined) throw new HttpError(409, `${path} does not match ${req.body.sha}`);
    const content = Buffer.from(String(req.body.content), "base64");
    const git = req.state.git;
    const blob = git.putBlob(content);
    const tree = git.applyChanges(git.commit(head)!.tree, [{ path, mode: "100644", type: "blob", sha: blob }]);
    const me = req.state.person(req.state.botLogin);
    const author = req.body.author ? { ...me, ...req.body.author } : me;
    const committer = req.body.committer ? { ...me, ...req.body.committer } : me;
    const sha = git.putCommit({ tree, parents: [head], message: req.body.message, author, committer });
    req.state.setRef(`refs/heads/${branch}`, sha);
    const body = { content: contentFile(req, path, blob, content, branch), commit: gitCommit(req.ctx, git.commit(sha)!) };
    return { status: existing ? 200 : 201, body };
  },
};
