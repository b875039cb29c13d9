/**
 * `scim.targets[].max_concurrency` end to end: from GRANTBOT_CONFIG through the client to the
 * wire. The SCIM test server counts the requests it holds at once (each answer delayed a little
 * so that concurrent requests overlap); the count, not timing, is asserted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/config-file.ts";
import { createGroupDirectories, scimTargetsFromConfig, type ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { ensureNotMembers } from "../../src/services/targets/membership.ts";
import { ScimTestServer, type ServerProfile } from "../fakes/scim-server/index.ts";

function directoryFromConfig(server: ScimTestServer, profile: ServerProfile, maxConcurrency?: number): ScimGroupDirectory {
  const limit = maxConcurrency === undefined ? "" : `, max_concurrency: ${maxConcurrency}`;
  const yaml = `scim:\n  targets:\n    - { name: idp, url: "${server.url}", token: "${server.token}", profile: ${profile}${limit} }\n`;
  const parsed = parseConfigFile(yaml, "/etc/grantbot.yaml", {});
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return createGroupDirectories(scimTargetsFromConfig(parsed.config.scimTargets)).get("idp");
}

describe.each(["generic", "aws-identity-center"] as const)("max_concurrency on a %s target", (profile) => {
  let server: ScimTestServer;
  let users: { id: string; userName: string }[];
  beforeAll(async () => {
    server = await ScimTestServer.start({ profile, rttMs: 20 });
    users = Array.from({ length: 12 }, (_, i) => server.createUser({ userName: `c${i}@example.com` }));
    server.createGroup("crowd", users.map((u) => u.id));
  });
  afterAll(() => server.close());
  beforeEach(() => server.resetInFlight());

  it("keeps at most 2 requests in flight during a batch of lookups with max_concurrency 2", async () => {
    const dir = directoryFromConfig(server, profile, 2);
    expect(dir.maxConcurrency).toBe(2);
    // No recorded user ids: one lookup per person, then the membership reads (per user on AWS).
    const results = await ensureNotMembers(dir, "crowd", users.slice(0, 10).map((u) => ({ email: u.userName })));
    expect(results).toEqual(Array(10).fill("removed"));
    expect(server.maxInFlight).toBe(2);
  });

  it("holds the limit for every caller of the target at once, not per call", async () => {
    const dir = directoryFromConfig(server, profile, 2);
    const group = server.store.requireGroup("crowd");
    await Promise.all([
      ...users.map((u) => dir.findUser(u.userName)),
      ...users.map((u) => dir.isMember(group.id, u.id)),
      dir.listMembers(group.id),
    ]);
    expect(server.maxInFlight).toBe(2);
  });

  it("defaults to 8 in flight when max_concurrency is not set", async () => {
    const dir = directoryFromConfig(server, profile);
    expect(dir.maxConcurrency).toBe(8);
    await Promise.all([...users, ...users].map((u) => dir.findUser(u.userName)));
    expect(server.maxInFlight).toBeLessThanOrEqual(8);
    expect(server.maxInFlight).toBeGreaterThan(2);
  });
});
