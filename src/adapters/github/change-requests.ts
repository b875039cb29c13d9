/**
 * ChangeRequests (services/ports.ts) on the GitHub REST API through Octokit. Every method throws
 * AppError: `target_unavailable` (retryable) for outages and rate limits, `target_rejected` for
 * other refusals. 404s that mean "absent" are answered as null/false, as the port documents.
 */
import { AppError } from "../../domain/errors.ts";
import type { ChangedFile, ChangeRequests, Clock, OpenedChange, PullRequestState, Review } from "../../services/ports/index.ts";
import { readTextFile } from "./contents.ts";
import { statusOf, toGithubError } from "./errors.ts";
import type { GithubClient } from "./octokit.ts";
import { openChange, type OpenChangeInput } from "./open-change.ts";
import { openEdit, type OpenEditInput } from "./open-edit.ts";
import { GITHUB_COMMENT_MAX, truncateText } from "../../domain/pr-body.ts";

export interface OctokitChangeRequestsOptions {
  octokit: GithubClient;
  owner: string;
  repo: string;
  baseBranch: string;
  /** Used only to interpret rate-limit reset headers (default: the system clock). */
  clock?: Clock;
}

/** The fields of `pull-request` / `pull-request-simple` grantbot reads. */
interface PullLike {
  number: number;
  html_url: string;
  state: string;
  merged?: boolean;
  merged_at: string | null;
  merged_by?: { login: string } | null;
  merge_commit_sha: string | null;
  closed_at: string | null;
  head: { sha: string; ref: string };
  base: { ref: string };
}

const REVIEW_STATES = new Set<Review["state"]>(["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]);

function time(iso: string | null | undefined): number | null {
  return iso ? Date.parse(iso) : null;
}

/**
 * `merged` and `merged_by` exist only on the full `pull-request` shape; a listed PR is merged
 * when `merged_at` is set, and its merger is unknown (null) until `get` is called.
 */
export function toPullRequestState(pr: PullLike): PullRequestState {
  const merged = pr.merged ?? pr.merged_at !== null;
  return {
    number: pr.number,
    url: pr.html_url,
    state: pr.state === "closed" ? "closed" : "open",
    merged,
    mergedAt: time(pr.merged_at),
    mergedBy: pr.merged_by?.login ?? null,
    mergeSha: merged ? pr.merge_commit_sha : null,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    closedAt: time(pr.closed_at),
  };
}

function toChangedFile(f: { filename: string; status: string; previous_filename?: string }): ChangedFile {
  return { path: f.filename, status: f.status, ...(f.previous_filename ? { previousPath: f.previous_filename } : {}) };
}

export class OctokitChangeRequests implements ChangeRequests {
  private readonly octokit: GithubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly baseBranch: string;
  private readonly now: () => number;
  /** ETag of the last listRecentlyClosed answer (conditional polling costs no rate limit). */
  private closedEtag: string | null = null;

  constructor(opts: OctokitChangeRequestsOptions) {
    this.octokit = opts.octokit;
    this.owner = opts.owner;
    this.repo = opts.repo;
    this.baseBranch = opts.baseBranch;
    const clock = opts.clock;
    this.now = clock ? () => clock.now() : () => Date.now();
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toGithubError(err, what, this.now);
    }
  }

  private get coordinates() {
    return { octokit: this.octokit, owner: this.owner, repo: this.repo, now: this.now, baseBranch: this.baseBranch };
  }

  /** At most 5 calls on a first attempt (see open-change.ts); idempotent on retry. */
  open(input: OpenChangeInput): Promise<OpenedChange> {
    return openChange(this.coordinates, input);
  }

  /** A PR modifying one existing file (access reviews); see open-edit.ts. */
  openEdit(input: OpenEditInput): Promise<OpenedChange> {
    return openEdit(this.coordinates, input);
  }

  async get(number: number): Promise<PullRequestState> {
    const { data } = await this.call(`pulls.get #${number}`, () =>
      this.octokit.rest.pulls.get({ owner: this.owner, repo: this.repo, pull_number: number }),
    );
    return toPullRequestState(data);
  }

  async readFile(path: string, ref: string): Promise<string | null> {
    const file = await readTextFile(this.coordinates, path, ref);
    return file.kind === "file" ? file.text : null;
  }

  async listReviews(number: number): Promise<Review[]> {
    const reviews = await this.call(`pulls.listReviews #${number}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviews, { owner: this.owner, repo: this.repo, pull_number: number, per_page: 100 }),
    );
    return reviews.map((r) => ({
      id: r.id,
      // A deleted account shows as null; GitHub renders it as "ghost".
      login: r.user?.login ?? "ghost",
      state: REVIEW_STATES.has(r.state as Review["state"]) ? (r.state as Review["state"]) : "COMMENTED",
      commitId: r.commit_id ?? "",
      submittedAt: time(r.submitted_at),
    }));
  }

  async listFiles(number: number): Promise<ChangedFile[]> {
    const files = await this.call(`pulls.listFiles #${number}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listFiles, { owner: this.owner, repo: this.repo, pull_number: number, per_page: 100 }),
    );
    return files.map(toChangedFile);
  }

  async commitParents(sha: string): Promise<string[]> {
    const { data } = await this.call(`git.getCommit ${sha}`, () => this.octokit.rest.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: sha }));
    return data.parents.map((p) => p.sha);
  }

  async changedFiles(base: string, head: string): Promise<ChangedFile[]> {
    const { data } = await this.call(`repos.compareCommitsWithBasehead ${base}...${head}`, () =>
      this.octokit.rest.repos.compareCommitsWithBasehead({ owner: this.owner, repo: this.repo, basehead: `${base}...${head}`, per_page: 100 }),
    );
    return (data.files ?? []).map(toChangedFile);
  }

  async isTeamMember(team: string, login: string): Promise<boolean> {
    const match = /^@?([^/\s]+)\/([^/\s]+)$/.exec(team);
    if (!match) throw new AppError("bad_input", `approver team "${team}" is not of the form org/team-slug`);
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({ org: match[1]!, team_slug: match[2]!, username: login });
      return data.state === "active";
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw toGithubError(err, `teams.getMembershipForUserInOrg ${team} ${login}`, this.now);
    }
  }

  async comment(number: number, body: string): Promise<void> {
    await this.call(`issues.createComment #${number}`, () =>
      this.octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: number, body: truncateText(body, GITHUB_COMMENT_MAX) }),
    );
  }

  /** pulls.get, then (only when open) the comment and PATCH state=closed: 1 or 3 calls. */
  async close(number: number, comment: string): Promise<void> {
    const pr = await this.get(number);
    if (pr.state === "closed") return;
    await this.comment(number, comment);
    await this.call(`pulls.update #${number}`, () =>
      this.octokit.rest.pulls.update({ owner: this.owner, repo: this.repo, pull_number: number, state: "closed" }),
    );
  }

  /** The 50 most recently updated closed PRs into the base branch; "not_modified" on a 304. */
  async listRecentlyClosed(): Promise<PullRequestState[] | "not_modified"> {
    try {
      const response = await this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        state: "closed",
        base: this.baseBranch,
        sort: "updated",
        direction: "desc",
        per_page: 50,
        ...(this.closedEtag ? { headers: { "if-none-match": this.closedEtag } } : {}),
      });
      const states = response.data.map(toPullRequestState);
      this.closedEtag = response.headers.etag ?? null;
      return states;
    } catch (err) {
      if (statusOf(err) === 304) return "not_modified";
      throw toGithubError(err, "pulls.list state=closed", this.now);
    }
  }
}
