/**
 * Reconciliation against the SCIM targets: a member added by hand and one removed by hand are
 * both reported (ops alert, `grantbot reconcile` table/JSON and exit code); only groups whose
 * resource has `enforce: true`, or a `--fix` run, are repaired; groups the catalog does not
 * manage are never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { activeGrant } from "./flows.ts";
import { audits } from "./review-fixture.ts";
import { OPS_CHANNEL, Stack } from "./stack.ts";

interface Entry {
  resource: string;
  target: string;
  group: string;
  missing: string[];
  unexpected: string[];
}

describe("reconciliation", () => {
  let stack: Stack;
  const opsTexts = () => stack.slack.messages(OPS_CHANNEL).map((m) => stack.slack.visibleText(m.channel, m.ts) ?? "");

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: stack.dataDir, env: stack.env };
    const code = await main(["reconcile", ...args], io);
    return { code, stdout, stderr };
  }
  const entry = (json: { resources: Entry[] }, resource: string) => json.resources.find((r) => r.resource === resource);

  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("reports no drift when groups match the live grants", async () => {
    const alice = stack.person("alice");
    await activeGrant(stack, alice.slack, "prod-db-readonly 4h INC-40 baseline");
    const run = await cli("--json");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { resources: Entry[] };
    expect(Object.keys(json)).toEqual(["resources"]);
    expect(entry(json, "prod-db-readonly")).toEqual({ resource: "prod-db-readonly", target: "aws", group: "prod-db-readonly", missing: [], unexpected: [] });
    expect(json.resources.map((r) => r.resource).sort()).toEqual(["break-glass-admin", "github-org-admin", "prod-db-readonly", "snowflake-analyst"]);
  });

  it("finds a member added by hand and one removed by hand, alerts ops, and repairs only enforced groups", async () => {
    const aws = stack.scim.get("aws")!;
    aws.removeMemberDirectly("prod-db-readonly", "alice@example.com"); // missing (enforce: false)
    aws.addMemberDirectly("prod-db-readonly", "bob@example.com"); // unexpected (enforce: false)
    aws.addMemberDirectly("AWSAdministratorAccess-breakglass", "frank@example.com"); // unexpected (enforce: true)
    aws.createGroup("legacy-admins", ["bob@example.com"]); // not managed by the catalog

    await stack.grantbot.runTask("reconcile");
    const alert = await stack.waitFor(() => opsTexts().find((t) => t.includes("Access drift found")), 5000, "drift alert");
    expect(alert).toMatch(/prod-db-readonly: "prod-db-readonly" in aws: missing alice@example\.com; unexpected bob@example\.com — report only/);
    expect(alert).toMatch(/break-glass-admin: "AWSAdministratorAccess-breakglass" in aws: unexpected frank@example\.com — repairing \(enforce\)/);
    expect(alert).not.toContain("legacy-admins");

    await stack.waitFor(() => !stack.members("aws", "AWSAdministratorAccess-breakglass").includes("frank@example.com"), 5000, "enforced repair");
    await stack.settle();
    expect(stack.members("aws", "prod-db-readonly")).toEqual(["bob@example.com"]);
    expect(stack.members("aws", "legacy-admins")).toEqual(["bob@example.com"]);
    const repaired = audits(stack, "reconcile.member_removed");
    expect(repaired.map((r) => r.data)).toEqual([expect.objectContaining({ group: "AWSAdministratorAccess-breakglass", subject: "frank@example.com", verified: true })]);

    // The enforced group is clean now, so the drift changed and is alerted once more; the same
    // drift found again is not alerted twice.
    await stack.grantbot.runTask("reconcile");
    await stack.settle();
    const alerts = opsTexts().filter((t) => t.includes("Access drift found"));
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).not.toContain("breakglass");
    await stack.grantbot.runTask("reconcile");
    await stack.settle();
    expect(opsTexts().filter((t) => t.includes("Access drift found"))).toHaveLength(2);
  });

  it("prints the drift with `grantbot reconcile --json` and exits 2, then repairs it with --fix", async () => {
    const report = await cli("--json");
    expect(report.code).toBe(2);
    const json = JSON.parse(report.stdout) as { resources: Entry[] };
    expect(entry(json, "prod-db-readonly")).toEqual({ resource: "prod-db-readonly", target: "aws", group: "prod-db-readonly", missing: ["alice@example.com"], unexpected: ["bob@example.com"] });
    expect(entry(json, "break-glass-admin")).toMatchObject({ missing: [], unexpected: [] });
    expect(stack.members("aws", "prod-db-readonly")).toEqual(["bob@example.com"]);

    const table = await cli();
    expect(table.code).toBe(2);
    expect(table.stdout).toMatch(/RESOURCE\s+TARGET\s+GROUP\s+MISSING\s+UNEXPECTED\s+ACTION/);
    expect(table.stdout).toMatch(/prod-db-readonly\s+aws\s+prod-db-readonly\s+alice@example\.com\s+bob@example\.com\s+report/);

    const fixed = await cli("--fix", "--json");
    expect(fixed.code).toBe(2);
    expect(stack.members("aws", "prod-db-readonly")).toEqual(["alice@example.com"]);
    expect(stack.members("aws", "legacy-admins")).toEqual(["bob@example.com"]);

    const after = await cli("--json");
    expect(after.code).toBe(0);
    expect(entry(JSON.parse(after.stdout) as { resources: Entry[] }, "prod-db-readonly")).toMatchObject({ missing: [], unexpected: [] });
  });

  it("exits 1 when a managed group cannot be read", async () => {
    stack.scim.get("okta")!.failWith({ status: 500, times: 50, match: (method, path) => method === "GET" && path.startsWith("/Groups") });
    try {
      const run = await cli("--json");
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ errors: [expect.objectContaining({ resource: "github-org-admin", target: "okta" })] });
    } finally {
      stack.scim.get("okta")!.clearFaults();
    }
  });
});
