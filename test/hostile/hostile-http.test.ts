/**
 * Hostile input through grantbot's real HTTP server (the e2e stack): generated slash-command texts,
 * modal submissions, webhook deliveries and directory pushes, all correctly signed, so they reach
 * the code behind the signature checks. Every one gets an answer (never a 5xx, never a dropped
 * connection) and either a whole effect or none: a request that is refused leaves no grant and no
 * job behind; one that is accepted leaves exactly one grant with its PR job. Explicit cases:
 * oversized bodies (413 before the body is read), emoji and RTL text in reasons, `../` as a
 * resource, a webhook for another repository, Slack requests replayed after 5 minutes or dated in
 * the future.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { BODY_LIMITS } from "../../src/adapters/http/routes.ts";
import { signDirectoryEvent } from "../../src/adapters/http/directory-hook.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import { Stack, SIGNING_SECRET } from "../e2e/stack.ts";
import { pullRequestEvent } from "../fakes/github-webhooks.ts";
import { slashCommandBody, signSlackRequest, stateValue, viewSubmissionBody } from "../fakes/slack-signing.ts";
import { fileRequest } from "../e2e/flows.ts";

const DIRECTORY_SECRET = "hostile-directory-secret-0123456789";
const nastyText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 120 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.constantFrom("🔥 INC-1 db on fire 🚒", "\u202eevil\u202c reason", "a\u0000b", "<@U0ALICE0001> &lt;script&gt;", "'; DROP TABLE grants;--", "${jndi:ldap://x}", "line1\nline2", "\\\\\"\"", "x".repeat(1200)),
);

describe("hostile input over HTTP", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ env: { GRANTBOT_DIRECTORY_SECRET: DIRECTORY_SECRET } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const grantCount = async () => await stack.latestGrant() === null ? 0 : (await stack.grantbot.deps.grants.listByState(["requested", "pr_open", "approved", "active", "expired", "released", "revoked", "declined", "rejected", "cancelled"], 1_000_000)).length;
  const openPrJobs = () => stack.grantbot.store.sqlite!.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = ?").get(JOB.openPr) as { n: number };

  it("answers any slash-command text with a reply and files either exactly one request or none", async () => {
    const alice = stack.person("alice");
    let filed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(nastyText, nastyText.map((r) => `prod-db-readonly 1h ${r}`), fc.tuple(fc.constantFrom("release", "extend", "list", "../../etc/passwd", "prod-db-readonly", "PROD-DB-READONLY"), nastyText, nastyText).map((p) => p.join(" "))),
        async (text) => {
          const before = { grants: await grantCount(), jobs: openPrJobs().n };
          const ack = await stack.slash(text, alice.slack);
          expect(ack.status).toBe(200);
          // The answer comes in the ack body or later through response_url (or as a modal).
          const replies = await stack.replies(ack.responseId, ack.text, ack.text ? 0 : 1, 5_000).catch(() => [ack.text]);
          const all = replies.join("\n");
          const accepted = /Request `[0-9A-Z]{26}` filed/.test(all);
          if (!accepted && /Requesting/.test(all)) {
            // The request path answers twice: "Requesting…" in the ack, then filed or why not.
            const more = await stack.replies(ack.responseId, ack.text, 1, 5_000);
            expect(more.join("\n")).toMatch(/filed|⚠️/);
            if (/filed/.test(more.join("\n"))) filed++;
            const after = { grants: await grantCount(), jobs: openPrJobs().n };
            expect(after.grants - before.grants).toBe(/filed/.test(more.join("\n")) ? 1 : 0);
            expect(after.jobs - before.jobs).toBe(after.grants - before.grants);
            return;
          }
          if (accepted) filed++;
          const after = { grants: await grantCount(), jobs: openPrJobs().n };
          expect(after.grants - before.grants).toBe(accepted ? 1 : 0);
          expect(after.jobs - before.jobs).toBe(after.grants - before.grants);
        },
      ),
      { numRuns: 60 },
    );
    await stack.settle(20_000);
    // Whatever the reasons contained, GitHub got only requests its API description accepts.
    expect(stack.github.validationErrors()).toEqual([]);
    expect(filed).toBeGreaterThan(0);
  }, 120_000);

  it("answers any modal submission with errors or an acknowledgement, and files at most one request", async () => {
    const bob = stack.person("bob");
    const anyValue = fc.oneof(nastyText.map((t) => stateValue.text(t)), fc.constant(stateValue.text(null)), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<never>);
    await fc.assert(
      fc.asyncProperty(fc.oneof(nastyText, fc.constantFrom("prod-db-readonly", "../catalog", "")), anyValue, anyValue, async (resource, duration, reason) => {
        const before = await grantCount();
        const body = viewSubmissionBody({
          callbackId: "access_request",
          userId: bob.slack,
          values: { resource: { resource_select: stateValue.select(resource || null) }, duration: { duration_input: duration }, reason: { reason_input: reason } },
        });
        const res = await stack.postSlack(body);
        expect(res.status).toBe(200);
        if (res.text) {
          const answer = JSON.parse(res.text) as { response_action?: string; errors?: Record<string, string> };
          if (answer.response_action === "errors") {
            for (const message of Object.values(answer.errors ?? {})) expect(message.length).toBeGreaterThan(0);
            expect(await grantCount()).toBe(before);
          }
        }
        await new Promise((r) => setTimeout(r, 20));
        expect(await grantCount() - before).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("answers any signed webhook delivery without a 5xx and changes nothing for payloads it cannot use", async () => {
    const states = async () => JSON.stringify((await stack.grantbot.deps.grants.listByState(["pr_open", "approved", "active"], 1000)).map((g) => [g.id, g.state]));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ action: fc.constantFrom("closed", "submitted", "opened"), repository: fc.record({ full_name: fc.constantFrom("acme/grants", "other/grants") }), pull_request: fc.record({ number: fc.oneof(fc.integer(), fc.string()), merged: fc.boolean(), state: fc.constantFrom("closed", "open") }, { requiredKeys: [] }) }, { requiredKeys: [] })),
        fc.constantFrom("pull_request", "pull_request_review", "issues"),
        async (payload, event) => {
          const before = await states();
          const { status } = await stack.deliver(event, payload);
          expect([200, 202, 400]).toContain(status);
          expect(await states()).toBe(before);
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);

  it("answers any signed directory push without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ type: fc.constantFrom("leaver", "mover", "joiner"), email: fc.oneof(fc.emailAddress(), nastyText), at: fc.oneof(fc.constant(new Date().toISOString()), nastyText), attributes: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] })), async (payload) => {
        const body = JSON.stringify(payload);
        const ts = Math.floor(Date.now() / 1000);
        const res = await fetch(`${stack.url}/hooks/directory`, { method: "POST", headers: { "content-type": "application/json", "x-grantbot-timestamp": String(ts), "x-grantbot-signature": signDirectoryEvent(DIRECTORY_SECRET, ts, body) }, body });
        const answer = (await res.json()) as { error?: string };
        expect([202, 400, 409]).toContain(res.status);
        if (res.status !== 202) expect(answer.error?.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  describe("explicit cases", () => {
    it("rejects an oversized body with 413 before reading it, on every endpoint", async () => {
      const url = new URL(stack.url);
      const cases: [string, number][] = [["/slack/events", BODY_LIMITS.slack], ["/github/webhook", BODY_LIMITS.githubWebhook], ["/oauth/introspect", BODY_LIMITS.introspection], ["/hooks/directory", 64 * 1024]];
      for (const [path, limit] of cases) {
        // Declares a body one byte over the limit and sends none of it: the answer must not wait for it.
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ host: url.hostname, port: url.port, method: "POST", path, headers: { "content-length": String(limit + 1), "content-type": "application/json" } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.flushHeaders();
        });
        expect(status, path).toBe(413);
        // Without a Content-Length (chunked), the limit holds too.
        const chunked = await new Promise<number>((resolve) => {
          const req = request({ host: url.hostname, port: url.port, method: "POST", path, headers: { "transfer-encoding": "chunked", "content-type": "application/json" } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", () => resolve(-1));
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          let sent = 0;
          const pump = () => {
            while (sent <= limit + chunk.length) {
              sent += chunk.length;
              if (!req.write(chunk)) return void req.once("drain", pump);
            }
            req.end();
          };
          pump();
        });
        expect([413, -1], path).toContain(chunked);
      }
      expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    });

    it("keeps emoji, right-to-left letters and quotes in a reason intact from Slack to the grant file and the PR", async () => {
      const reason = `🔥 INC-77 replica "lag" 'ü' \\ שלום עולם 👩‍💻`;
      const filed = await fileRequest(stack, stack.person("dave").slack, `prod-db-readonly 1h ${reason}`);
      const grant = await stack.grant(filed.grantId);
      expect(grant.reason).toBe(reason);
      const file = stack.github.fileAt(`grant/${grant.id}`, grant.filePath);
      expect(file).toBe(grant.fileContent);
      expect(file).toContain("INC-77");
      expect(stack.github.pull(filed.pr).body).toContain("INC-77");
    });

    it("refuses a reason with a bidirectional override, naming the character: no grant, no GitHub write", async () => {
      const before = { grants: await grantCount(), calls: stack.github.calls().filter((c) => c.method !== "GET").length };
      const ack = await stack.slash("prod-db-readonly 1h INC-79 \u202ereplica\u202c", stack.person("alice").slack);
      const replies = (await stack.replies(ack.responseId, ack.text, ack.text ? 0 : 1)).join("\n");
      expect(replies).toContain("⚠️ the reason contains an invisible control character (U+202E RIGHT-TO-LEFT OVERRIDE); remove it and try again");
      await stack.settle();
      expect(await grantCount()).toBe(before.grants);
      expect(stack.github.calls().filter((c) => c.method !== "GET").length).toBe(before.calls);
    });

    it("treats `../` as an unknown resource: no grant, no GitHub write", async () => {
      const before = { grants: await grantCount(), calls: stack.github.calls().filter((c) => c.method !== "GET").length };
      for (const text of ["../../etc/passwd 1h x", "..%2F..%2Fcatalog 1h x", "prod-db-readonly/../../x 1h x"]) {
        const ack = await stack.slash(text, stack.person("alice").slack);
        expect(ack.status).toBe(200);
        const replies = (await stack.replies(ack.responseId, ack.text, ack.text ? 0 : 1)).join("\n");
        expect(replies).toMatch(/⚠️|unknown|not a/i);
      }
      const modal = await stack.submitModal(stack.person("alice").slack, { resource: "../../etc/passwd", duration: "1h", reason: "x" });
      expect(modal.status).toBe(200);
      expect(JSON.parse(modal.text)).toMatchObject({ response_action: "errors" });
      await stack.settle();
      expect(await grantCount()).toBe(before.grants);
      expect(stack.github.calls().filter((c) => c.method !== "GET").length).toBe(before.calls);
    });

    it("ignores a merge webhook for another repository, even one naming an open grant PR", async () => {
      const filed = await fileRequest(stack, stack.person("bob").slack, "prod-db-readonly 1h INC-78 other repo");
      stack.approve(filed.pr, "carol-gh");
      stack.github.merge(filed.pr, { by: "carol-gh" });
      const foreign = pullRequestEvent(stack.github, filed.pr, { repository: "mallory/grants" });
      const res = await stack.deliver("pull_request", foreign);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ ignored: "repository mallory/grants" });
      await stack.settle();
      expect((await stack.grant(filed.grantId)).state).toBe("pr_open");
      expect(await stack.grantbot.deps.jobs.pending(`${JOB.checkMerge}:${filed.grantId}`)).toEqual([]);
    });

    it("refuses a Slack request replayed after 5 minutes, or dated more than 5 minutes ahead, even with a valid signature", async () => {
      const now = Math.floor(Date.now() / 1000);
      const body = slashCommandBody({ text: "help", userId: stack.person("alice").slack, responseUrl: stack.slack.responseUrl("replay") });
      for (const ts of [now - 301, now - 3600, now + 301, now + 86_400]) {
        const res = await fetch(`${stack.url}/slack/events`, { method: "POST", headers: signSlackRequest(body, SIGNING_SECRET, ts), body });
        expect(res.status, `timestamp ${ts - now}s`).toBe(401);
      }
      for (const ts of [now - 240, now + 60]) {
        const res = await fetch(`${stack.url}/slack/events`, { method: "POST", headers: signSlackRequest(body, SIGNING_SECRET, ts), body });
        expect(res.status, `timestamp ${ts - now}s`).toBe(200);
      }
      // A signature made with another secret never passes, whatever the timestamp.
      const forged = await fetch(`${stack.url}/slack/events`, { method: "POST", headers: signSlackRequest(body, "not-the-secret-0123456789", now), body });
      expect(forged.status).toBe(401);
    });
  });
});
