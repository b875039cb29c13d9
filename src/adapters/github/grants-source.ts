/**
 * GrantsSource (services/ports.ts): `grants/catalog.yaml` and `grants/people.yaml` at the head of
 * the base branch, read with conditional requests. GitHub answers an unchanged file with 304,
 * which does not count against the rate limit; the cached text is returned then.
 */
import { AppError } from "../../domain/errors.ts";
import type { Clock, GrantsSource, RepoFile } from "../../services/ports/index.ts";
import { readTextFile, type RepoCoordinates } from "./contents.ts";
import type { GithubClient } from "./octokit.ts";

export const CATALOG_PATH = "grants/catalog.yaml";
export const PEOPLE_PATH = "grants/people.yaml";

export interface OctokitGrantsSourceOptions {
  octokit: GithubClient;
  owner: string;
  repo: string;
  baseBranch: string;
  clock?: Clock;
}

export class OctokitGrantsSource implements GrantsSource {
  private readonly at: RepoCoordinates;
  private readonly baseBranch: string;
  private readonly cache = new Map<string, { etag: string; text: string }>();

  constructor(opts: OctokitGrantsSourceOptions) {
    const clock = opts.clock;
    this.at = { octokit: opts.octokit, owner: opts.owner, repo: opts.repo, now: clock ? () => clock.now() : () => Date.now() };
    this.baseBranch = opts.baseBranch;
  }

  /** Throws `bad_input` when the catalog is missing, AppError from the API otherwise. */
  async readPolicyFiles(): Promise<{ catalog: RepoFile; people: RepoFile | null }> {
    const [catalog, people] = await Promise.all([this.read(CATALOG_PATH), this.read(PEOPLE_PATH)]);
    if (catalog === null) {
      throw new AppError("bad_input", `${CATALOG_PATH} does not exist on ${this.at.owner}/${this.at.repo}@${this.baseBranch}`);
    }
    return { catalog, people };
  }

  /** At a commit SHA: no conditional request (a commit never changes); the caller caches. */
  async readPolicyFilesAt(sha: string): Promise<{ catalog: RepoFile; people: RepoFile | null }> {
    if (!/^[0-9a-f]{40}$/i.test(sha)) throw new AppError("bad_input", `policy must be read at a full commit SHA, not "${sha}"`);
    const [catalog, people] = await Promise.all([readTextFile(this.at, CATALOG_PATH, sha), readTextFile(this.at, PEOPLE_PATH, sha)]);
    if (catalog.kind !== "file") throw new AppError("bad_input", `${CATALOG_PATH} does not exist on ${this.at.owner}/${this.at.repo}@${sha}`);
    return { catalog: { path: CATALOG_PATH, text: catalog.text }, people: people.kind === "file" ? { path: PEOPLE_PATH, text: people.text } : null };
  }

  private async read(path: string): Promise<RepoFile | null> {
    const cached = this.cache.get(path);
    const result = await readTextFile(this.at, path, this.baseBranch, cached?.etag);
    if (result.kind === "not_modified") {
      if (!cached) throw new AppError("internal", `GitHub answered 304 for ${path} without a cached copy`);
      return { path, text: cached.text };
    }
    if (result.kind === "absent") {
      this.cache.delete(path);
      return null;
    }
    if (result.etag) this.cache.set(path, { etag: result.etag, text: result.text });
    else this.cache.delete(path);
    return { path, text: result.text };
  }
}
