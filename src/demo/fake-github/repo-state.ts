/**
 * The fake's in-memory repository: git objects and refs (GitStore) plus pull requests, reviews,
 * issue comments, labels and team memberships. Route handlers and the test-control API both
 * change state only through this class, so a PR's head follows its branch like on GitHub.
 */
import { GitStore, type GitPerson } from "./git-store.ts";
import { HttpError, notFound, validationFailed } from "./http-error.ts";

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface PullRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  user: string;
  headRef: string;
  baseRef: string;
  headSha: string;
  /** Base branch head when the PR was opened or last closed (GitHub's `base.sha`). */
  baseSha: string;
  state: "open" | "closed";
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  labels: string[];
}

export interface ReviewRecord {
  id: number;
  login: string;
  state: ReviewState;
  commitId: string;
  body: string;
  submittedAt: string | null;
}

export interface CommentRecord {
  id: number;
  login: string;
  body: string;
  createdAt: string;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export class RepoState {
  readonly git = new GitStore();
  readonly pulls = new Map<number, PullRecord>();
  readonly reviews = new Map<number, ReviewRecord[]>();
  readonly comments = new Map<number, CommentRecord[]>();
  readonly labels = new Map<string, LabelRecord>();
  /** `org/slug` (lower case) -> login (lower case) -> membership state. */
  readonly teams = new Map<string, Map<string, "active" | "pending">>();
  private nextNumber = 1;
  private nextId = 1000;

  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly baseBranch: string,
    private readonly clock: () => number,
    readonly botLogin: string,
  ) {}

  /** GitHub timestamps: ISO 8601 in UTC without milliseconds. */
  now(): string {
    return new Date(Math.floor(this.clock() / 1000) * 1000).toISOString().replace(".000Z", "Z");
  }

  id(): number {
    return this.nextId++;
  }

  person(login: string): GitPerson {
    return { name: login, email: `${login.replace(/\[bot\]$/, "")}@users.noreply.github.test`, date: this.now() };
  }

  branchSha(branch: string): string | undefined {
    return this.git.refs.get(`refs/heads/${branch}`);
  }

  /** Moves a ref; an open PR whose head is that branch follows it (like a push). */
  setRef(fullRef: string, sha: string): void {
    this.git.refs.set(fullRef, sha);
    const branch = fullRef.replace(/^refs\/heads\//, "");
    for (const pr of this.pulls.values()) {
      if (pr.state === "open" && pr.headRef === branch && pr.headSha !== sha) {
        pr.headSha = sha;
        pr.updatedAt = this.now();
      }
    }
  }

  /** One commit on `branch` (created from the base branch when absent) changing `files`. */
  commitFiles(branch: string, files: Record<string, string | null>, message: string, author: string): string {
    const parent = this.branchSha(branch) ?? this.branchSha(this.baseBranch) ?? null;
    const baseTree = parent === null ? null : this.git.commit(parent)!.tree;
    const changes = Object.entries(files).map(([path, text]) => ({
      path,
      mode: "100644",
      type: "blob" as const,
      sha: text === null ? null : this.git.putBlob(text),
    }));
    const tree = this.git.applyChanges(baseTree, changes);
    const sha = this.git.putCommit({ tree, parents: parent === null ? [] : [parent], message, author: this.person(author) });
    this.setRef(`refs/heads/${branch}`, sha);
    return sha;
  }

  pull(number: number): PullRecord {
    const pr = this.pulls.get(number);
    if (!pr) throw notFound();
    return pr;
  }

  createPull(input: { title: string; body: string | null; head: string; base: string; draft: boolean; user: string }): PullRecord {
    const head = input.head.includes(":") ? input.head.slice(input.head.indexOf(":") + 1) : input.head;
    const headOwner = input.head.includes(":") ? input.head.slice(0, input.head.indexOf(":")) : this.owner;
    const headSha = this.branchSha(head);
    if (headSha === undefined || headOwner.toLowerCase() !== this.owner.toLowerCase()) {
      throw validationFailed({ resource: "PullRequest", field: "head", code: "invalid" });
    }
    const baseSha = this.branchSha(input.base);
    if (baseSha === undefined) throw validationFailed({ resource: "PullRequest", field: "base", code: "invalid" });
    for (const pr of this.pulls.values()) {
      if (pr.state === "open" && pr.headRef === head && pr.baseRef === input.base) {
        throw validationFailed({ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${this.owner}:${head}.` });
      }
    }
    if (this.git.isAncestor(headSha, baseSha)) {
      throw validationFailed({ resource: "PullRequest", code: "custom", message: `No commits between ${input.base} and ${head}` });
    }
    const now = this.now();
    const pr: PullRecord = {
      number: this.nextNumber++,
      id: this.id(),
      title: input.title,
      body: input.body,
      user: input.user,
      headRef: head,
      baseRef: input.base,
      headSha,
      baseSha,
      state: "open",
      draft: input.draft,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
      labels: [],
    };
    this.pulls.set(pr.number, pr);
    return pr;
  }

  /**
   * Merges like GitHub's merge button. `merge`: a merge commit (parents: base, head) containing
   * the PR's changes since the merge base. `squash`: one commit with the same tree and the base as
   * its only parent. `rebase`: each of the PR's commits replayed onto the base, one new commit
   * each (the last one is the "merge commit sha"). Returns that sha.
   */
  merge(number: number, by: string, method: "merge" | "squash" | "rebase" = "merge"): string {
    const pr = this.pull(number);
    if (pr.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
    const baseSha = this.branchSha(pr.baseRef)!;
    const mergeBase = this.git.mergeBase(baseSha, pr.headSha);
    const message = `Merge pull request #${pr.number} from ${this.owner}/${pr.headRef}\n\n${pr.title}`;
    let sha: string;
    if (method === "rebase") {
      sha = baseSha;
      for (const original of this.ownCommits(pr.headSha, mergeBase)) {
        const c = this.git.commit(original)!;
        const tree = this.applyDiff(this.git.commit(sha)!.tree, c.parents[0] ?? null, original);
        sha = this.git.putCommit({ tree, parents: [sha], message: c.message, author: c.author, committer: this.person(by) });
      }
    } else {
      const tree = this.applyDiff(this.git.commit(baseSha)!.tree, mergeBase, pr.headSha);
      sha = this.git.putCommit({ tree, parents: method === "squash" ? [baseSha] : [baseSha, pr.headSha], message, author: this.person(by) });
    }
    this.setRef(`refs/heads/${pr.baseRef}`, sha);
    const now = this.now();
    Object.assign(pr, { state: "closed", merged: true, mergedAt: now, mergedBy: by, mergeCommitSha: sha, closedAt: now, updatedAt: now, baseSha });
    return sha;
  }

  /** `onto` (a tree) with the changes from commit `from` (null = empty) to commit `to`. */
  private applyDiff(onto: string, from: string | null, to: string): string {
    const before = this.git.flatten(from === null ? null : this.git.commit(from)!.tree);
    const after = this.git.flatten(this.git.commit(to)!.tree);
    const files = this.git.flatten(onto);
    for (const [path, entry] of after) if (before.get(path)?.sha !== entry.sha) files.set(path, entry);
    for (const path of before.keys()) if (!after.has(path)) files.delete(path);
    return this.git.buildTree(files);
  }

  /** The first-parent chain from `head` back to (excluding) `stop`, oldest first. */
  private ownCommits(head: string, stop: string | null): string[] {
    const chain: string[] = [];
    for (let sha: string | undefined = head; sha !== undefined && sha !== stop; sha = this.git.commit(sha)?.parents[0]) chain.push(sha);
    return chain.reverse();
  }

  close(number: number): void {
    const pr = this.pull(number);
    if (pr.state === "closed") return;
    const now = this.now();
    Object.assign(pr, { state: "closed", closedAt: now, updatedAt: now, baseSha: this.branchSha(pr.baseRef) ?? pr.baseSha });
  }

  addLabels(number: number, names: string[]): LabelRecord[] {
    const pr = this.pull(number);
    for (const name of names) {
      if (!this.labels.has(name.toLowerCase())) {
        this.labels.set(name.toLowerCase(), { id: this.id(), name, color: "ededed", description: null });
      }
      const label = this.labels.get(name.toLowerCase())!;
      if (!pr.labels.includes(label.name)) pr.labels.push(label.name);
    }
    pr.updatedAt = this.now();
    return pr.labels.map((n) => this.labels.get(n.toLowerCase())!);
  }
}
