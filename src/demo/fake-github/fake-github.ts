/**
 * A stateful in-memory GitHub REST server for one repository, on 127.0.0.1, for tests: point
 * Octokit's `baseUrl` at `fake.url`. Every request is checked against GitHub's OpenAPI
 * description (422 + recorded errors when it does not conform) and recorded. The methods below
 * are the test-control API (what a person would do on github.com: review, push, merge...).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenApiValidator } from "./openapi-validator.ts";
import { RepoState, type PullRecord, type ReviewState } from "./repo-state.ts";
import { gitRoutes } from "./routes-git.ts";
import { orgRoutes, type AppTokens, type FakeAppConfig } from "./routes-org.ts";
import { pullRoutes } from "./routes-pulls.ts";
import { diffRoutes } from "./routes-diff.ts";
import { createListener, type FailureStatus, type PendingFailure, type RecordedCall, type ValidationRecord } from "./server.ts";
import { pullFull } from "./shapes-pulls.ts";
import type { ShapeContext } from "./shapes-repo.ts";

export interface FakeGitHubOptions {
  /** `owner/name`, default `acme/grants`. */
  repository?: string;
  baseBranch?: string;
  /** When given, only these tokens (and issued installation tokens) authenticate; otherwise any token does. */
  tokens?: string[];
  /** Enables `POST /app/installations/{id}/access_tokens`. */
  app?: FakeAppConfig;
  /** Login that authors what the API creates (PRs, comments). */
  botLogin?: string;
  /** Validate the fake's own responses against the OpenAPI schemas (default true). */
  validateResponses?: boolean;
  /** Epoch ms source for timestamps (default Date.now). */
  clock?: () => number;
}

let shared: OpenApiValidator | null = null;

export class FakeGitHub {
  /** Added latency per request, in ms. */
  rttMs = 0;
  readonly state: RepoState;
  private readonly server: Server;
  private readonly calls_: RecordedCall[] = [];
  private readonly requestErrors: ValidationRecord[] = [];
  private readonly responseErrors: ValidationRecord[] = [];
  private readonly failures: PendingFailure[] = [];
  private readonly tokens: AppTokens;
  private ctx: ShapeContext | null = null;

  private constructor(opts: FakeGitHubOptions) {
    const [owner, repo] = (opts.repository ?? "acme/grants").split("/") as [string, string];
    const clock = opts.clock ?? (() => Date.now());
    this.state = new RepoState(owner, repo, opts.baseBranch ?? "main", clock, opts.botLogin ?? "grantbot[bot]");
    this.tokens = { app: opts.app ?? null, issued: new Set(), clock };
    const validator = (shared ??= new OpenApiValidator());
    this.server = createServer(
      createListener({
        state: this.state,
        ctx: () => this.ctx!,
        validator,
        ops: validator.operations(),
        routes: { ...gitRoutes, ...pullRoutes, ...diffRoutes, ...orgRoutes(this.tokens) },
        tokens: this.tokens,
        acceptedTokens: opts.tokens ? new Set(opts.tokens) : null,
        validateResponses: opts.validateResponses ?? true,
        rttMs: () => this.rttMs,
        failures: this.failures,
        calls: this.calls_,
        requestErrors: this.requestErrors,
        responseErrors: this.responseErrors,
      }),
    );
    // An initial commit so the base branch exists, like a repository created with a README.
    this.state.commitFiles(this.state.baseBranch, { "README.md": "# grants\n" }, "Initial commit", owner);
  }

  static async start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const fake = new FakeGitHub(opts);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.ctx = {
      api: `http://127.0.0.1:${port}`,
      html: "https://github.test",
      owner: fake.state.owner,
      repo: fake.state.repo,
      repoId: 4242,
      createdAt: fake.state.now(),
    };
    return fake;
  }

  /** Octokit `baseUrl`. */
  get url(): string {
    return this.ctx!.api;
  }

  get owner(): string {
    return this.state.owner;
  }

  get repo(): string {
    return this.state.repo;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  // --- test control ---------------------------------------------------------------------------

  /** One commit on the base branch writing `files` (null deletes). Returns the commit sha. */
  seed(files: Record<string, string | null>, message = "Seed files"): string {
    return this.state.commitFiles(this.state.baseBranch, files, message, this.state.owner);
  }

  /** A push to `branch` (e.g. tampering with an open PR's head). Returns the new head sha. */
  pushToBranch(branch: string, files: Record<string, string | null>, opts: { message?: string; by?: string } = {}): string {
    if (this.state.branchSha(branch) === undefined) throw new Error(`no branch ${branch}`);
    return this.state.commitFiles(branch, files, opts.message ?? "Update files", opts.by ?? "mallory");
  }

  /** `submittedAt` (ISO 8601) overrides the fake's clock, e.g. for a review that came in after the merge. */
  addReview(pr: number, review: { login: string; state: ReviewState; commitId?: string; body?: string; submittedAt?: string }): number {
    const record = this.state.pull(pr);
    const id = this.state.id();
    const submittedAt = review.state === "PENDING" ? null : (review.submittedAt ?? this.state.now());
    const list = this.state.reviews.get(pr) ?? [];
    list.push({ id, login: review.login, state: review.state, commitId: review.commitId ?? record.headSha, body: review.body ?? "", submittedAt });
    this.state.reviews.set(pr, list);
    return id;
  }

  /** Merges like the merge button ("Create a merge commit" by default); returns the merge commit sha. */
  merge(pr: number, opts: { by: string; method?: "merge" | "squash" | "rebase" }): string {
    return this.state.merge(pr, opts.by, opts.method);
  }

  /** Changes the PR's base branch (the "Edit" button next to the title), like an attacker retargeting it. */
  retarget(pr: number, base: string): void {
    const record = this.state.pull(pr);
    const baseSha = this.state.branchSha(base);
    if (baseSha === undefined) throw new Error(`no branch ${base}`);
    Object.assign(record, { baseRef: base, baseSha, updatedAt: this.state.now() });
  }

  /** Creates `branch` at the base branch's head (or at `from`). */
  createBranch(branch: string, from?: string): string {
    const sha = this.state.branchSha(from ?? this.state.baseBranch)!;
    this.state.setRef(`refs/heads/${branch}`, sha);
    return sha;
  }

  closePr(pr: number): void {
    this.state.close(pr);
  }

  /** `team` is `org/slug`; a login mapped to "pending" has been invited but not joined. */
  setTeamMembers(team: string, members: string[] | Record<string, "active" | "pending">): void {
    const entries = Array.isArray(members) ? members.map((m) => [m, "active" as const] as const) : Object.entries(members);
    this.state.teams.set(team.toLowerCase(), new Map(entries.map(([login, st]) => [login.toLowerCase(), st])));
  }

  /**
   * The next `count` requests (matching `route`: `"METHOD /template"` or an operationId) answer
   * `status` with GitHub's error body, or drop the connection for `"network"`.
   */
  failNext(count: number, status: FailureStatus, opts: { route?: string; headers?: Record<string, string> } = {}): void {
    this.failures.push({ remaining: count, status, ...opts });
  }

  // --- inspection -----------------------------------------------------------------------------

  calls(): RecordedCall[] {
    return [...this.calls_];
  }

  resetCalls(): void {
    this.calls_.length = 0;
  }

  /** Requests that did not conform to the OpenAPI description (each was answered 422). */
  validationErrors(): ValidationRecord[] {
    return [...this.requestErrors];
  }

  /** The fake's own responses that did not match the schemas (a bug in the fake). */
  responseValidationErrors(): ValidationRecord[] {
    return [...this.responseErrors];
  }

  /** Installation tokens handed out by the app endpoint. */
  issuedTokens(): string[] {
    return [...this.tokens.issued];
  }

  pull(number: number): PullRecord {
    return this.state.pull(number);
  }

  pulls(): PullRecord[] {
    return [...this.state.pulls.values()];
  }

  /** The PR as `GET /pulls/{n}` returns it (webhook payloads reuse it). */
  pullJson(number: number): ReturnType<typeof pullFull> {
    return pullFull(this.ctx!, this.state, this.state.pull(number));
  }

  branchSha(branch: string): string | undefined {
    return this.state.branchSha(branch);
  }

  /** File text at a branch, tag or commit sha; null when absent. */
  fileAt(ref: string, path: string): string | null {
    const commit = this.state.git.resolve(ref);
    const found = commit ? this.state.git.lookup(commit.tree, path) : null;
    return found?.object.type === "blob" ? found.object.content.toString("utf8") : null;
  }

  /** Commits reachable from `ref` but not from the base branch (a PR branch's own commits). */
  commitsAhead(ref: string): string[] {
    const head = this.state.git.resolve(ref);
    if (!head) return [];
    const base = this.state.git.ancestors(this.state.branchSha(this.state.baseBranch)!);
    return [...this.state.git.ancestors(head.sha)].filter((sha) => !base.has(sha));
  }

  comments(pr: number): string[] {
    return (this.state.comments.get(pr) ?? []).map((c) => c.body);
  }
}
