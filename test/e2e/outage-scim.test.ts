/**
 * A SCIM target that fails during expiry (PRODUCT.md: "revocations retry with backoff until they
 * succeed and alert operators meanwhile; no other grant waits on it"), with the stack's short
 * backoff (job_retry base 1s, max 5s) instead of real minutes: 503s, requests that hang until the
 * client's timeout, 429 with Retry-After. Assertions are about order and completion, not timing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "../../src/domain/grant.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import { OPS_CHANNEL, Stack } from "./stack.ts";
import { activeGrant } from "./flows.ts";
import { patchMembers } from "../crash/kill-switch.ts";

describe("a SCIM target down during expiry", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
    stack.github.setTeamMembers("acme/data-platform", ["frank-gh"]);
    stack.github.setTeamMembers("acme/dba", ["bob-gh"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const removals = async (grantId: string) => (await stack.grantbot.deps.audit.forGrant(grantId)).filter((r) => r.action === "scim.member_removed");
  const removalJob = async (grantId: string) => (await stack.grantbot.deps.jobs.pending(`${JOB.scimRemove}:${grantId}:`))[0] ?? null;
  const opsAlerts = (target: string) =>
    stack.slack.messages(OPS_CHANNEL).filter((m) => m.text.includes("Revocation is being retried") && m.text.includes(` in ${target}`));

  async function expectRevocationWaits(grant: Grant, attempts: number): Promise<void> {
    // Retrying, and meanwhile the credential is already dead: revocation never waits on SCIM.
    await stack.waitFor(async () => ((await removalJob(grant.id))?.attempts ?? 0) >= attempts, 30_000, `${attempts} failed removal attempts`);
    expect((await stack.grant(grant.id)).state).toBe("expired");
    expect(await removals(grant.id)).toHaveLength(0);
    const token = await stack.credentialToken(grant.id);
    if (token) expect((await stack.introspect(token)).body).toEqual({ active: false });
  }

  it("keeps retrying a removal through 503s, alerts ops once, and another target's grant is revoked meanwhile", async () => {
    const aws = stack.scim.get("aws")!;
    const alice = stack.person("alice");
    const bob = stack.person("bob");
    const onAws = await activeGrant(stack, alice.slack, "prod-db-readonly 3s INC-900 aws goes down");
    const alsoOnAws = await activeGrant(stack, stack.person("dave").slack, "prod-db-readonly 3s INC-904 aws goes down too");
    const onSnowflake = await activeGrant(stack, bob.slack, "snowflake-analyst 3s INC-901 snowflake stays up", "frank-gh");
    aws.failWith({ status: 503, times: 100_000, detail: "aws SCIM is down" });

    // The healthy target's removal completes while aws is still failing.
    await stack.waitFor(async () => (await removals(onSnowflake.id)).length > 0, 15_000, "the snowflake removal");
    expect(stack.members("snowflake", "ANALYST")).not.toContain(bob.email);
    expect(await removals(onAws.id)).toHaveLength(0);

    await expectRevocationWaits(onAws, 5);
    await expectRevocationWaits(alsoOnAws, 5);
    expect(stack.members("aws", "prod-db-readonly")).toContain(alice.email);
    // One alert for the outage: not one per retry, nor one per grant.
    expect(opsAlerts("aws")).toHaveLength(1);

    aws.clearFaults();
    await stack.waitFor(async () => (await removals(onAws.id)).length > 0 && (await removals(alsoOnAws.id)).length > 0, 15_000, "the aws removals after recovery");
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(alice.email);
    expect((await removals(onAws.id))[0]!.data).toMatchObject({ verified: true, target: "aws" });
    await stack.settle();
    expect(opsAlerts("aws")).toHaveLength(1);
    expect(opsAlerts("snowflake")).toHaveLength(0);
    // Exactly one removal took effect: no duplicate PATCH after the failed ones.
    const aliceId = aws.store.userByName(alice.email)!.id;
    const applied = aws.requests().filter((r) => r.method === "PATCH" && r.status >= 200 && r.status < 300 && patchMembers(r.body).remove.includes(aliceId));
    expect(applied).toHaveLength(1);
  });

  it("retries removals whose requests time out, then confirms them by reading back", async () => {
    const aws = stack.scim.get("aws")!;
    const carol = stack.person("carol");
    const grant = await activeGrant(stack, carol.slack, "prod-db-readonly 2s INC-902 aws hangs", "bob-gh");
    const userId = aws.store.userByName(carol.email)!.id;
    // The next three removals sent for carol hang until grantbot's 2 s SCIM timeout.
    aws.timeoutNext(3, (method) => method === "PATCH");
    const before = opsAlerts("aws").length;

    await expectRevocationWaits(grant, 3);
    expect(stack.members("aws", "prod-db-readonly")).toContain(carol.email);
    await stack.waitFor(async () => (await removals(grant.id)).length > 0, 30_000, "the removal after the timeouts");
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(carol.email);
    expect(aws.requests().filter((r) => r.method === "PATCH" && patchMembers(r.body).remove.includes(userId)).length).toBeGreaterThanOrEqual(4);
    // The outage of the first test ended with a successful removal, so this one may alert again — once.
    expect(opsAlerts("aws").length - before).toBeLessThanOrEqual(1);
  });

  it("waits as long as a 429's Retry-After says before trying again", async () => {
    const aws = stack.scim.get("aws")!;
    const dave = stack.person("dave");
    const grant = await activeGrant(stack, dave.slack, "prod-db-readonly 2s INC-903 aws throttles");
    const seen: number[] = [];
    // Records when each removal arrives (never answers anything itself), then the throttling.
    aws.timeoutNext(1_000_000, (method) => {
      if (method === "PATCH") seen.push(Date.now());
      return false;
    });
    aws.failWith({ status: 429, retryAfter: "2", times: 2, match: (method) => method === "PATCH" });
    await stack.waitFor(async () => (await removals(grant.id)).length > 0, 30_000, "the removal after the throttling");
    expect(stack.members("aws", "prod-db-readonly")).not.toContain(dave.email);
    aws.clearFaults();
    // Each retry came after the server's Retry-After (2 s), not after the shorter backoff window.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < 3; i++) expect(seen[i]! - seen[i - 1]!).toBeGreaterThanOrEqual(1_900);
  });
});
