/** The readiness rule of /readyz and the gauges (adapters/lifecycle/dependency-health.ts). */
import { describe, expect, it } from "vitest";
import { DependencyHealth } from "../../src/adapters/lifecycle/dependency-health.ts";

describe("dependency health", () => {
  it("counts unchecked dependencies (checks off) as no reason to be unready, and has no gauge for them", async () => {
    const health = new DependencyHealth(["aws"], () => null);
    expect(await health.readiness(true)).toEqual({ ready: true, slack: "unchecked", github: "unchecked", scim: { aws: "unchecked" }, database: "ok" });
    expect(health.upValues()).toEqual({ database: 1 });
  });

  it("is not ready while starting", async () => {
    const health = new DependencyHealth([], () => null);
    expect(await health.readiness(false)).toMatchObject({ ready: false, phase: "starting" });
  });

  it.each([
    ["slack", { kind: "down", reason: "timeout after 5000 ms" }, "down: timeout after 5000 ms"],
    ["github", { kind: "rejected", reason: "401 Bad credentials", message: "GITHUB_TOKEN was rejected" }, "rejected: 401 Bad credentials"],
    ["scim:aws", { kind: "down", reason: "503: busy (GET /Groups)" }, "down: 503: busy (GET /Groups)"],
  ] as const)("is not ready when %s is %j", async (name, state, shown) => {
    const health = new DependencyHealth(["aws", "okta"], () => null);
    for (const n of health.names()) health.set(n, { kind: "ok" });
    health.set(name, state);
    const body = await health.readiness(true);
    expect(body.ready).toBe(false);
    const where = name.startsWith("scim:") ? body.scim[name.slice(5)] : body[name as "slack" | "github"];
    expect(where).toBe(shown);
    expect(health.upValues()[name]).toBe(0);
    expect(body.scim.okta).toBe("ok");
  });

  it("is not ready when the database does not answer, or its check throws", async () => {
    expect(await new DependencyHealth([], () => "disk I/O error").readiness(true)).toMatchObject({ ready: false, database: "down: disk I/O error" });
    const throwing = new DependencyHealth([], () => {
      throw new Error("The database connection is not open");
    });
    expect(await throwing.readiness(true)).toMatchObject({ ready: false, database: "down: The database connection is not open" });
    expect(throwing.upValues()).toEqual({ database: 0 });
  });

  it("is not ready while this instance's job leases are stale, and says why", async () => {
    let problem: string | null = null;
    const health = new DependencyHealth([], () => null, () => problem);
    expect(await health.readiness(true)).toMatchObject({ ready: true, leases: "ok" });
    problem = "job leases not renewed for 5 s (lease 3 s)";
    expect(await health.readiness(true)).toMatchObject({ ready: false, database: "ok", leases: "stale: job leases not renewed for 5 s (lease 3 s)" });
  });
});
