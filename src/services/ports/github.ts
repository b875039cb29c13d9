/**
 * The grants repository on GitHub: policy files, grant PRs, reviews.
 */

export interface RepoFile {
  path: string;
  text: string;
}

/** The grants repository's base branch, read with conditional requests (ETag). */
export interface GrantsSource {
  /** Raw `grants/catalog.yaml` and `grants/people.yaml` at the head of the base branch. */
  readPolicyFiles(): Promise<{ catalog: RepoFile; people: RepoFile | null }>;
  /**
   * The same two files at one commit, addressed by its full SHA (never a branch name: a commit's
   * content cannot move). Throws `bad_input` when the catalog is absent at that commit.
   */
  readPolicyFilesAt(sha: string): Promise<{ catalog: RepoFile; people: RepoFile | null }>;
}

/** One file of a diff, as GitHub lists it. */
export interface ChangedFile {
  path: string;
  /** added, removed, modified, renamed, copied, changed or unchanged (GitHub's words). */
  status: string;
  /** For a rename: the old path. */
  previousPath?: string;
}

export interface OpenedChange {
  number: number;
  url: string;
  headSha: string;
  /** The base-branch commit the PR's branch was created at, when this call created it. */
  baseSha?: string;
}

export interface PullRequestState {
  number: number;
  url: string;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: number | null;
  mergedBy: string | null;
  mergeSha: string | null;
  headSha: string;
  headRef: string;
  baseRef: string;
  closedAt: number | null;
}

export interface Review {
  id: number;
  login: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commitId: string;
  submittedAt: number | null;
}

/** A PR grantbot opens: one commit on a new branch, the PR's title, body and labels. */
export interface ChangeProposal {
  branch: string;
  path: string;
  commitMessage: string;
  title: string;
  body: string;
  labels: string[];
}

/** A PR adding one new file (`content`). */
export interface NewFileChange extends ChangeProposal {
  content: string;
}

/** A PR changing one existing file through `edit` (applied to its text at the base branch's head). */
export interface FileEditChange extends ChangeProposal {
  edit: (text: string) => string;
}

/** Pull requests in the grants repository. Methods throw AppError (`target_unavailable` retryable). */
export interface ChangeRequests {
  /**
   * Opens a PR adding one file in one commit on a new branch. Idempotent: when the branch or PR
   * already exists (a retry after a crash) it returns the existing PR. At most 5 API calls.
   */
  open(input: NewFileChange): Promise<OpenedChange>;
  /**
   * Opens a PR that modifies one existing file in one commit on a new branch (access reviews edit
   * grants/catalog.yaml). `edit` receives the file as it is at the base branch's head and returns
   * the new text; it must be idempotent (a retry may apply it to its own output). Idempotent like
   * `open`. Throws non-retryable `target_rejected` when the edit changes nothing.
   */
  openEdit(input: FileEditChange): Promise<OpenedChange>;
  get(number: number): Promise<PullRequestState>;
  /** File text at a commit, or null when absent. */
  readFile(path: string, ref: string): Promise<string | null>;
  /** Every review of the PR, oldest first (paged). */
  listReviews(number: number): Promise<Review[]>;
  /** The files the PR changes (its whole diff against the base, paged; GitHub lists at most 3,000). */
  listFiles(number: number): Promise<ChangedFile[]>;
  /** The parent SHAs of a commit, first parent first. */
  commitParents(sha: string): Promise<string[]>;
  /** The files that differ between two commits (`base...head`, at most 300 listed by GitHub). */
  changedFiles(base: string, head: string): Promise<ChangedFile[]>;
  /** Whether `login` is an active member of `org/team-slug`. */
  isTeamMember(team: string, login: string): Promise<boolean>;
  comment(number: number, body: string): Promise<void>;
  /** Closes without merging (no-op when already closed), after posting `comment`. */
  close(number: number, comment: string): Promise<void>;
  /** Recently closed PRs (for polling), newest update first; uses a conditional request. */
  listRecentlyClosed(): Promise<PullRequestState[] | "not_modified">;
}
