import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OctokitChangeRequests } from "../../src/adapters/github/change-requests.ts";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { AppError } from "../../src/domain/errors.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";

const TOKEN = "ghp_errorstoken111111111111111111111111111";
let fake: FakeGitHub;
let changes: OctokitChangeRequests;
let pr: number;
/** A server that accepts requests and never answers them: only a client timeout ends a request. */
let silent: Server;
const unanswered: IncomingMessage[] = [];

beforeAll(async () => {
  fake = await FakeGitHub.start({ tokens: [TOKEN] });
  silent = createServer((req) => void unanswered.push(req));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  // The default timeout (10 s): a loaded machine must not turn a slow answer into a failure here.
  const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "token", token: TOKEN } });
  changes = new OctokitChangeRequests({ octokit, owner: fake.owner, repo: fake.repo, baseBranch: "main", clock: { now: () => 1_700_000_000_000 } });
  pr = (await changes.open({ branch: "grant/e1", path: "grants/r/e1.yaml", content: "id: e1\n", commitMessage: "e1", title: "e1", body: "", labels: [] })).number;
});

afterAll(async () => {
  silent?.closeAllConnections();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  await fake?.close();
});

afterEach(() => {
  expect(fake.validationErrors()).toEqual([]);
});

async function failure(promise: Promise<unknown>): Promise<AppError & { retryAfterMs?: number }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError & { retryAfterMs?: number };
}

describe("GitHub error mapping", () => {
  it.each([500, 502, 503, 504])("turns a %i into a retryable target_unavailable", async (status) => {
    fake.failNext(1, status, { route: "pulls/get" });
    const err = await failure(changes.get(pr));
    expect(err).toMatchObject({ code: "target_unavailable", retryable: true });
    expect(err.message).toContain(String(status));
  });

  it("turns a 429 into target_unavailable carrying Retry-After", async () => {
    fake.failNext(1, 429, { route: "pulls/get", headers: { "retry-after": "42" } });
    const err = await failure(changes.get(pr));
    expect(err).toMatchObject({ code: "target_unavailable", retryable: true, retryAfterMs: 42_000 });
  });

  it("treats a 403 with an exhausted rate limit as unavailable until the reset", async () => {
    const reset = String(1_700_000_000 + 90);
    fake.failNext(1, 403, { route: "pulls/get", headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } });
    const err = await failure(changes.get(pr));
    expect(err).toMatchObject({ code: "target_unavailable", retryAfterMs: 90_000 });
  });

  it("treats a secondary rate limit (403 with Retry-After) as unavailable", async () => {
    fake.failNext(1, 403, { route: "issues/create-comment", headers: { "retry-after": "60" } });
    expect(await failure(changes.comment(pr, "hi"))).toMatchObject({ code: "target_unavailable", retryAfterMs: 60_000 });
  });

  it("treats other 4xx as target_rejected with GitHub's message", async () => {
    fake.failNext(1, 403, { route: "pulls/get" });
    const forbidden = await failure(changes.get(pr));
    expect(forbidden).toMatchObject({ code: "target_rejected", retryable: false });
    expect(forbidden.message).toContain("Injected failure");

    const missing = await failure(changes.get(99_999));
    expect(missing).toMatchObject({ code: "target_rejected", retryable: false });
    expect(missing.message).toMatch(/pulls\.get #99999: 404 Not Found/);
  });

  it("turns a dropped connection into target_unavailable", async () => {
    fake.failNext(1, "network", { route: "pulls/get" });
    expect(await failure(changes.get(pr))).toMatchObject({ code: "target_unavailable" });
  });

  it("turns a request GitHub never answers into target_unavailable once the client's timeout passes", async () => {
    // The server never answers, so the request can only end through the timeout, however slow the
    // machine: no bound on elapsed time is needed to prove the timeout cut it short.
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const octokit = createOctokit({ baseUrl: url, auth: { kind: "token", token: TOKEN }, timeoutMs: 50 });
    const hanging = new OctokitChangeRequests({ octokit, owner: "acme", repo: "grants", baseBranch: "main" });
    const err = await failure(hanging.get(1));
    expect(err).toMatchObject({ code: "target_unavailable", retryable: true });
    expect(err.message).toMatch(/abort|timeout/i);
    expect(unanswered.map((r) => r.url)).toContain("/repos/acme/grants/pulls/1");
  });

  it("turns a refused connection into target_unavailable", async () => {
    const octokit = createOctokit({ baseUrl: "http://127.0.0.1:9", auth: { kind: "token", token: TOKEN } });
    const offline = new OctokitChangeRequests({ octokit, owner: "acme", repo: "grants", baseBranch: "main" });
    expect(await failure(offline.get(1))).toMatchObject({ code: "target_unavailable", retryable: true });
  });

  it("never puts the token in an error message", async () => {
    const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "token", token: "ghp_wrongtoken2222222222222222222222222222" } });
    const wrong = new OctokitChangeRequests({ octokit, owner: fake.owner, repo: fake.repo, baseBranch: "main" });
    const err = await failure(wrong.get(pr));
    expect(err).toMatchObject({ code: "target_rejected" });
    expect(err.message).toContain("401 Bad credentials");
    expect(err.message).not.toContain("ghp_wrongtoken");
    expect(JSON.stringify(err)).not.toContain("ghp_wrongtoken");
    // Octokit's RequestError (the cause, which loggers print) redacts the Authorization header.
    expect(inspect(err, { depth: 8 })).not.toContain("ghp_wrongtoken");
  });

  it("does not let an outage on the file commit leave a second commit behind after recovery", async () => {
    fake.failNext(2, 503, { route: "repos/create-or-update-file-contents" });
    const input = { branch: "grant/e2", path: "grants/r/e2.yaml", content: "id: e2\n", commitMessage: "e2", title: "e2", body: "", labels: ["grantbot"] };
    await failure(changes.open(input));
    await failure(changes.open(input));
    const opened = await changes.open(input);
    expect(fake.commitsAhead(input.branch)).toEqual([opened.headSha]);
  });
});
