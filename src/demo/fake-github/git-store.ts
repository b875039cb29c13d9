/**
 * The fake GitHub's object database: blobs, trees and commits hashed exactly like git
 * (`sha1("<type> <size>\0<body>")`), plus refs. Trees are real nested trees, so a file at
 * `grants/prod-db/01J.yaml` lives in tree `grants` -> tree `prod-db` -> blob.
 */
import { createHash } from "node:crypto";

export interface GitPerson {
  name: string;
  email: string;
  date: string; // ISO 8601, second precision
}

export interface TreeEntry {
  name: string;
  mode: string; // "100644" | "100755" | "040000" | "120000" | "160000"
  type: "blob" | "tree" | "commit";
  sha: string;
}

export type GitObject =
  | { type: "blob"; sha: string; content: Buffer }
  | { type: "tree"; sha: string; entries: TreeEntry[] }
  | { type: "commit"; sha: string; tree: string; parents: string[]; message: string; author: GitPerson; committer: GitPerson };

export type CommitObject = Extract<GitObject, { type: "commit" }>;

/** One blob (or submodule) entry of a flattened tree, keyed by its full path. */
export interface FlatEntry {
  mode: string;
  type: "blob" | "commit";
  sha: string;
}

/** A change as `POST /git/trees` takes it: `sha: null` deletes the path. */
export interface TreeChange {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string | null;
}

function hash(type: string, body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

function gitDate(iso: string): string {
  return `${Math.floor(Date.parse(iso) / 1000)} +0000`;
}

export class GitStore {
  private readonly objects = new Map<string, GitObject>();
  /** Full ref name (`refs/heads/main`) -> commit sha. */
  readonly refs = new Map<string, string>();

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  commit(sha: string): CommitObject | undefined {
    const object = this.objects.get(sha);
    return object?.type === "commit" ? object : undefined;
  }

  putBlob(content: Buffer | string): string {
    const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = hash("blob", buf);
    this.objects.set(sha, { type: "blob", sha, content: buf });
    return sha;
  }

  putTree(entries: TreeEntry[]): string {
    // git orders entries by name, comparing a tree's name as if it ended with "/".
    const key = (e: TreeEntry) => (e.type === "tree" ? `${e.name}/` : e.name);
    const sorted = [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const body = Buffer.concat(
      sorted.map((e) => Buffer.concat([Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")])),
    );
    const sha = hash("tree", body);
    this.objects.set(sha, { type: "tree", sha, entries: sorted });
    return sha;
  }

  putCommit(input: { tree: string; parents: string[]; message: string; author: GitPerson; committer?: GitPerson }): string {
    const committer = input.committer ?? input.author;
    const lines = [`tree ${input.tree}`, ...input.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${input.author.name} <${input.author.email}> ${gitDate(input.author.date)}`);
    lines.push(`committer ${committer.name} <${committer.email}> ${gitDate(committer.date)}`);
    const sha = hash("commit", Buffer.from(`${lines.join("\n")}\n\n${input.message}`));
    this.objects.set(sha, { type: "commit", sha, tree: input.tree, parents: input.parents, message: input.message, author: input.author, committer });
    return sha;
  }

  /** Every blob under `treeSha`, by full path. */
  flatten(treeSha: string | null, prefix = "", out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
    if (treeSha === null) return out;
    const tree = this.objects.get(treeSha);
    if (tree?.type !== "tree") throw new Error(`not a tree: ${treeSha}`);
    for (const e of tree.entries) {
      const path = `${prefix}${e.name}`;
      if (e.type === "tree") this.flatten(e.sha, `${path}/`, out);
      else out.set(path, { mode: e.mode, type: e.type, sha: e.sha });
    }
    return out;
  }

  /** Builds nested trees from a flat path map; returns the root tree sha. */
  buildTree(files: Map<string, FlatEntry>): string {
    const here: TreeEntry[] = [];
    const dirs = new Map<string, Map<string, FlatEntry>>();
    for (const [path, entry] of files) {
      const slash = path.indexOf("/");
      if (slash === -1) {
        here.push({ name: path, ...entry });
        continue;
      }
      const dir = path.slice(0, slash);
      if (!dirs.has(dir)) dirs.set(dir, new Map());
      dirs.get(dir)!.set(path.slice(slash + 1), entry);
    }
    for (const [name, sub] of dirs) here.push({ name, mode: "040000", type: "tree", sha: this.buildTree(sub) });
    return this.putTree(here);
  }

  /** GitHub's create-tree semantics: `changes` applied on top of `baseTree` (or an empty tree). */
  applyChanges(baseTree: string | null, changes: TreeChange[]): string {
    const files = this.flatten(baseTree);
    for (const change of changes) {
      const path = change.path.replace(/^\/+|\/+$/g, "");
      if (change.sha === null || change.type === "tree") {
        for (const key of [...files.keys()]) if (key === path || key.startsWith(`${path}/`)) files.delete(key);
        if (change.sha !== null) for (const [sub, e] of this.flatten(change.sha)) files.set(`${path}/${sub}`, e);
        continue;
      }
      files.set(path, { mode: change.mode, type: change.type, sha: change.sha });
    }
    return this.buildTree(files);
  }

  /** The object at `path` inside `treeSha` (a blob or a tree), or null. */
  lookup(treeSha: string, path: string): { entry: TreeEntry; object: GitObject } | null {
    const parts = path.split("/").filter((p) => p !== "");
    let tree = this.objects.get(treeSha);
    let found: TreeEntry | undefined;
    for (const part of parts) {
      if (tree?.type !== "tree") return null;
      found = tree.entries.find((e) => e.name === part);
      if (!found) return null;
      tree = this.objects.get(found.sha);
    }
    if (!found || !tree) return null;
    return { entry: found, object: tree };
  }

  /** Resolves a branch name, `heads/x`, `refs/heads/x`, a tag or a commit sha to a commit. */
  resolve(commitish: string): CommitObject | undefined {
    for (const name of [commitish, `refs/${commitish}`, `refs/heads/${commitish}`, `refs/tags/${commitish}`]) {
      const sha = this.refs.get(name);
      if (sha !== undefined) return this.commit(sha);
    }
    if (/^[0-9a-f]{40}$/.test(commitish)) return this.commit(commitish);
    return undefined;
  }

  /** Whether `ancestor` is reachable from `sha` (inclusive). */
  isAncestor(ancestor: string, sha: string): boolean {
    return this.ancestors(sha).has(ancestor);
  }

  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commit(next)?.parents ?? []));
    }
    return seen;
  }

  /** Nearest common ancestor of two commits (breadth-first from `b`), or null. */
  mergeBase(a: string, b: string): string | null {
    const fromA = this.ancestors(a);
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (fromA.has(next)) return next;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commit(next)?.parents ?? []));
    }
    return null;
  }
}
