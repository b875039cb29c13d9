/**
 * Error mapping details beyond the contract: Retry-After as an HTTP date, 5xx, a closed port,
 * configuration of targets and profiles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroupDirectories, parseRetryAfter, ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { ScimTestServer } from "../fakes/scim-server/index.ts";

describe("SCIM client errors", () => {
  let server: ScimTestServer;
  const now = Date.parse("2026-11-22T10:00:00Z");
  let dir: ScimGroupDirectory;
  beforeAll(async () => {
    server = await ScimTestServer.start();
    dir = new ScimGroupDirectory({ name: "idp", baseUrl: server.url, token: server.token, profile: "generic", now: () => now });
  });
  afterAll(() => server.close());

  it("turns a Retry-After HTTP date into milliseconds from now", async () => {
    server.failWith({ status: 503, retryAfter: "Sun, 22 Nov 2026 10:00:30 GMT" });
    await expect(dir.findGroup("x")).rejects.toMatchObject({ code: "target_unavailable", retryAfterMs: 30_000 });
  });

  it("reads Retry-After in seconds or as a date, and ignores garbage", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("reports a 500 as retryable target_unavailable without a retryAfterMs", async () => {
    server.failWith({ status: 500, detail: "boom" });
    const error = await dir.findGroup("x").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "target_unavailable", retryable: true, retryAfterMs: undefined });
    expect(String((error as Error).message)).toBe("SCIM target idp: 500: boom (GET /Groups)");
  });

  it("reports a wrong token as target_rejected without repeating the token", async () => {
    const wrong = new ScimGroupDirectory({ name: "idp", baseUrl: server.url, token: "not-the-token", profile: "generic" });
    const error = await wrong.findUser("a@example.com").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "target_rejected", status: 401 });
    expect(String((error as Error).message)).not.toContain("not-the-token");
  });

  it("reports a closed port as target_unavailable", async () => {
    const closed = await ScimTestServer.start();
    const url = closed.url;
    await closed.close();
    const gone = new ScimGroupDirectory({ name: "gone", baseUrl: url, token: "t0ken-secret", profile: "generic" });
    const error = await gone.isMember("g", "u").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "target_unavailable", retryable: true });
    expect(String((error as Error).message)).toMatch(/^SCIM target gone: network error/);
    expect(String((error as Error).message)).not.toContain("t0ken-secret");
  });

  it("gives up after timeoutMs on a server that never answers", async () => {
    // The server never answers this request, so only the client's timeout can end it (no
    // elapsed-time bound: that would fail on a loaded machine without proving more).
    const quick = new ScimGroupDirectory({ name: "slow", baseUrl: server.url, token: server.token, profile: "generic", timeoutMs: 150 });
    server.timeoutNext(1);
    await expect(quick.findGroup("x")).rejects.toMatchObject({ code: "target_unavailable", message: expect.stringMatching(/150 ms/) });
  });

  it("answers slowly when the server is given latency, within the timeout", async () => {
    server.rttMs = 30;
    const started = performance.now();
    expect(await dir.findGroup("none-here")).toBeNull();
    server.rttMs = 0;
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe("createGroupDirectories", () => {
  it("builds one directory per target and refuses unknown names", () => {
    const dirs = createGroupDirectories([
      { name: "aws", url: "https://scim.example/aws", token: "a", profile: "aws-identity-center" },
      { name: "idp", url: "https://scim.example/idp", token: "b", profile: "generic", timeoutMs: 5_000 },
    ]);
    expect(dirs.names()).toEqual(["aws", "idp"]);
    expect(dirs.get("aws").profile.name).toBe("aws-identity-center");
    expect(() => dirs.get("nope")).toThrow(expect.objectContaining({ code: "config_invalid" }));
  });

  it("refuses duplicate target names and unknown profiles", () => {
    const t = { name: "x", url: "https://scim.example", token: "t", profile: "generic" as const };
    expect(() => createGroupDirectories([t, t])).toThrow(/defined twice/);
    expect(() => createGroupDirectories([{ ...t, profile: "okta" as never }])).toThrow(/unknown profile okta/);
  });

  it("requires a User-Agent for GitHub EMU", () => {
    expect(
      () => new ScimGroupDirectory({ name: "gh", baseUrl: "https://api.github.com/scim/v2/enterprises/acme", token: "t", profile: "github-emu", userAgent: "" }),
    ).toThrow(/requires a User-Agent/);
  });
});
