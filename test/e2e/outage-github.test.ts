/**
 * GitHub failing while grantbot opens a request's PR: retried (the PR still ends up as one PR with
 * one commit), and when GitHub keeps failing the requester is told and nothing is left half-done.
 * grantbot runs in a child process with a short backoff (job_retry base 1s, max 1s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { World } from "../crash/world.ts";

describe("GitHub failing while a PR is opened", () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start({ jobRetry: "{ base: 1s, max: 1s }" });
    await world.spawn();
  }, 30_000);
  afterAll(async () => {
    await world?.close();
  });

  async function request(who: string, text: string): Promise<string> {
    const ack = await world.slash(text, world.people.find((p) => p.email.startsWith(`${who}@`))!.slack);
    expect(ack.status).toBe(200);
    return world.filedGrantId(ack.responseId);
  }

  const dmTexts = (slackId: string) => {
    const im = world.slack.imChannelOf(slackId);
    return im ? world.slack.messages(im).map((m) => m.text) : [];
  };

  it("retries 5xx answers and network errors, then opens exactly one PR with one commit", async () => {
    world.github.failNext(2, 502, { route: "pulls/create" });
    world.github.failNext(1, "network", { route: "git/create-ref" });
    const alice = world.people.find((p) => p.email.startsWith("alice@"))!;
    const id = await request("alice", "prod-db-readonly 1h INC-950 GitHub is flaky");
    const grant = await world.waitForGrant(id, ["pr_open"], 20_000);
    const prs = world.github.pulls().filter((p) => p.headRef === `grant/${id}`);
    expect(prs).toHaveLength(1);
    expect(world.github.commitsAhead(`grant/${id}`)).toHaveLength(1);
    expect(world.github.fileAt(`grant/${id}`, grant.filePath)).toBe(grant.fileContent);
    await world.waitFor(() => dmTexts(alice.slack).some((t) => t.includes(`#${grant.prNumber}`)), 10_000, "the PR link DM");
    expect(dmTexts(alice.slack).some((t) => /could not be opened/.test(t))).toBe(false);
    expect(world.github.validationErrors()).toEqual([]);
  }, 30_000);

  it("tells the requester when GitHub keeps failing, and leaves no PR and no live request behind", async () => {
    world.github.failNext(1_000, 503, { route: "pulls/create" });
    const dave = world.people.find((p) => p.email.startsWith("dave@"))!;
    const id = await request("dave", "prod-db-readonly 1h INC-951 GitHub is down");
    const cancelled = await world.waitForGrant(id, ["cancelled"], 30_000);
    expect(cancelled.prNumber).toBeNull();
    expect(world.github.pulls().filter((p) => p.headRef === `grant/${id}`)).toHaveLength(0);
    await world.waitFor(() => dmTexts(dave.slack).some((t) => /could not be opened/.test(t) && t.includes("prod-db-readonly")), 10_000, "the failure DM");
    const audit = world.stores().audit.forGrant(id).map((r) => r.action);
    expect(audit).toEqual(["grant.requested", "grant.pr_failed"]);
    expect(world.stores().jobs.pending().filter((j) => j.payload.grantId === id && j.kind === "open_pr")).toEqual([]);
  }, 45_000);
});
