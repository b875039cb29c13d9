import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOctokit } from "../../src/adapters/github/octokit.ts";
import { OctokitChangeRequests } from "../../src/adapters/github/change-requests.ts";
import { parseGithubWebhook } from "../../src/adapters/github/webhook.ts";
import { FakeGitHub } from "../fakes/fake-github/index.ts";
import { pullRequestEvent, pullRequestPayload, reviewEvent, signWebhook } from "../fakes/github-webhooks.ts";

const SECRET = "webhook-secret-for-tests";
let fake: FakeGitHub;
let merged: { number: number; headSha: string; mergeSha: string };
let declined: number;

beforeAll(async () => {
  fake = await FakeGitHub.start({ repository: "acme/grants" });
  const octokit = createOctokit({ baseUrl: fake.url, auth: { kind: "token", token: "ghp_webhooks" } });
  const changes = new OctokitChangeRequests({ octokit, owner: "acme", repo: "grants", baseBranch: "main" });
  const open = (n: number) => changes.open({ branch: `grant/w${n}`, path: `grants/r/w${n}.yaml`, content: `id: w${n}\n`, commitMessage: "w", title: "w", body: "", labels: [] });
  const a = await open(1);
  fake.addReview(a.number, { login: "carol-gh", state: "APPROVED" });
  merged = { number: a.number, headSha: a.headSha, mergeSha: fake.merge(a.number, { by: "carol-gh" }) };
  declined = (await open(2)).number;
  fake.closePr(declined);
});

afterAll(() => fake.close());

function parse(delivery: { headers: Record<string, string>; body: string }, repository = "acme/grants") {
  return parseGithubWebhook({ headers: delivery.headers, rawBody: Buffer.from(delivery.body), secret: SECRET, repository });
}

describe("parseGithubWebhook", () => {
  it("accepts a signed merge with its merge sha, head sha, merger and delivery id", async () => {
    const delivery = await signWebhook("pull_request", pullRequestEvent(fake, merged.number), SECRET, { deliveryId: "d-1" });
    expect(await parse(delivery)).toEqual({
      status: 202,
      event: { kind: "pull_request_closed", number: merged.number, merged: true, mergeSha: merged.mergeSha, headSha: merged.headSha, mergedBy: "carol-gh", deliveryId: "d-1" },
    });
  });

  it("reports a PR closed without merge as unmerged", async () => {
    const delivery = await signWebhook("pull_request", pullRequestEvent(fake, declined), SECRET);
    const result = await parse(delivery);
    expect(result).toMatchObject({ status: 202, event: { kind: "pull_request_closed", number: declined, merged: false, mergeSha: null, mergedBy: null } });
  });

  it("reads a submitted review with the REST spelling of its state", async () => {
    const delivery = await signWebhook("pull_request_review", reviewEvent(fake, merged.number), SECRET, { deliveryId: "d-2" });
    expect(await parse(delivery)).toEqual({
      status: 202,
      event: { kind: "pull_request_review", number: merged.number, login: "carol-gh", state: "APPROVED", commitId: merged.headSha, deliveryId: "d-2" },
    });
  });

  it("accepts header names in any case and as arrays", async () => {
    const d = await signWebhook("pull_request", pullRequestEvent(fake, merged.number), SECRET);
    const headers = { "X-GitHub-Event": [d.headers["x-github-event"]], "X-GitHub-Delivery": d.headers["x-github-delivery"], "X-Hub-Signature-256": d.headers["x-hub-signature-256"] };
    const result = await parseGithubWebhook({ headers, rawBody: d.body, secret: SECRET, repository: "acme/grants" });
    expect(result).toMatchObject({ status: 202, event: { kind: "pull_request_closed" } });
  });

  it("answers 401 to a missing signature, a wrong secret and a body changed after signing", async () => {
    const d = await signWebhook("pull_request", pullRequestEvent(fake, merged.number), SECRET);
    const { "x-hub-signature-256": _, ...unsigned } = d.headers;
    expect(await parse({ headers: unsigned, body: d.body })).toMatchObject({ status: 401 });
    const wrong = await signWebhook("pull_request", pullRequestEvent(fake, merged.number), "another-secret");
    expect(await parse(wrong)).toMatchObject({ status: 401 });
    expect(await parse({ headers: d.headers, body: d.body.replace('"merged":true', '"merged":false') })).toMatchObject({ status: 401 });
    expect(await parse({ headers: { ...d.headers, "x-hub-signature-256": "sha256=zz" }, body: d.body })).toMatchObject({ status: 401 });
  });

  it("ignores deliveries for another repository", async () => {
    const d = await signWebhook("pull_request", pullRequestEvent(fake, merged.number, { repository: "evil/grants" }), SECRET);
    expect(await parse(d)).toEqual({ status: 202, event: { kind: "ignored", why: "repository evil/grants" } });
  });

  it("ignores other events and other actions", async () => {
    const ping = await signWebhook("ping", { zen: "Keep it logically awesome.", hook_id: 1 }, SECRET);
    expect(await parse(ping)).toMatchObject({ status: 202, event: { kind: "ignored", why: "event ping" } });
    const payload = pullRequestPayload("opened", { repository: "acme/grants", number: 9, headSha: "b".repeat(40), headRef: "grant/x" });
    expect(await parse(await signWebhook("pull_request", payload, SECRET))).toMatchObject({ status: 202, event: { kind: "ignored", why: "pull_request.opened" } });
  });

  it("answers 400 with a clear message to a signed payload of the wrong shape", async () => {
    const payload = pullRequestEvent(fake, merged.number);
    payload["pull_request"].number = "seven";
    delete payload["pull_request"].head.sha;
    const result = await parse(await signWebhook("pull_request", payload, SECRET));
    expect(result).toMatchObject({ status: 400 });
    expect((result as { error: string }).error).toMatch(/invalid pull_request payload: pull_request\.number: .*; pull_request\.head\.sha/);

    expect(await parse(await signWebhook("pull_request", "not an object", SECRET))).toMatchObject({ status: 400 });
    const headers = { ...(await signWebhook("pull_request", {}, SECRET)).headers, "x-hub-signature-256": await sign(SECRET, "{") };
    expect(await parse({ headers, body: "{" })).toEqual({ status: 400, error: "the body is not valid JSON" });
  });

  it("answers 400 when the event or delivery header is missing", async () => {
    const d = await signWebhook("pull_request", pullRequestEvent(fake, merged.number), SECRET);
    const { "x-github-delivery": _, ...noDelivery } = d.headers;
    expect(await parse({ headers: noDelivery, body: d.body })).toMatchObject({ status: 400, error: expect.stringContaining("X-GitHub-Delivery") });
  });
});
