import { describe, expect, it } from "vitest";
import { renderOffboarding } from "../../src/adapters/slack/views/leaver-notes.ts";
import { SLACK_LIMITS } from "../../src/adapters/slack/views/limits.ts";
import type { OffboardingReport } from "../../src/domain/offboarding.ts";

function report(over: Partial<OffboardingReport> = {}): OffboardingReport {
  return {
    caseId: "C1",
    person: { email: "alice@example.com", displayName: "Alice" },
    cause: "deactivated",
    startedAt: 0,
    manager: "dave@example.com",
    managerProblem: null,
    grants: [
      { grantId: "G1", resource: "prod-db-readonly", prUrl: null, wasActive: true, credentialsRevoked: 1, groups: [{ target: "aws", group: "prod-db-readonly", verified: true, note: "removed" }] },
      { grantId: "G2", resource: "snowflake-analyst", prUrl: null, wasActive: true, credentialsRevoked: 0, groups: [{ target: "snowflake", group: "ANALYST", verified: false, note: "still retrying (attempt 3): 503" }] },
    ],
    cancelledRequests: [{ grantId: "G3", resource: "prod-db-readonly", prNumber: 7, prUrl: "https://github.test/acme/grants/pull/7" }],
    orphans: [{ grantId: "G4", resource: "prod-db-readonly", subject: "svc-etl@example.com", state: "active", expiresAt: Date.UTC(2026, 0, 1) }],
    ...over,
  };
}

describe("offboarding messages", () => {
  it("lists each grant and group with its verified flag, cancelled requests and orphans for the manager", () => {
    const { text } = renderOffboarding(report(), "final", "manager");
    expect(text).toContain("✅ *Offboarding complete:* *Alice* (alice@example.com) was deactivated in the directory.");
    expect(text).toContain("• *prod-db-readonly* (grant `G1`); 1 credential(s) revoked:");
    expect(text).toContain("◦ `prod-db-readonly` in aws — verified (removed)");
    expect(text).toContain("◦ `ANALYST` in snowflake — NOT verified: still retrying (attempt 3): 503");
    expect(text).toContain("• *prod-db-readonly* (request `G3`) <https://github.test/acme/grants/pull/7|PR #7>");
    expect(text).toMatch(/`svc-etl@example.com` has \*prod-db-readonly\* until .*grant `G4`: assign a new owner .*`grantbot revoke G4`/);
    expect(text).not.toContain("Manager");
  });

  it("names what is still being retried in the pending notice", () => {
    const { text } = renderOffboarding(report(), "pending", "manager");
    expect(text.split("\n").slice(0, 3)).toEqual([
      "⏳ *Offboarding in progress:* *Alice* (alice@example.com) was deactivated in the directory. Their credentials are revoked, but some group removals are not verified yet; grantbot keeps retrying them:",
      "• *snowflake-analyst*: `ANALYST` in snowflake — NOT verified: still retrying (attempt 3): 503",
      "A confirmation follows as soon as every removal is verified.",
    ]);
  });

  it("tells ops whether the manager was told", () => {
    expect(renderOffboarding(report(), "final", "ops").text).toContain("Manager dave@example.com got this summary by DM.");
    expect(renderOffboarding(report({ manager: null, managerProblem: "the directory has no manager for alice@example.com" }), "final", "ops").text).toContain(
      "⚠️ *Manager not told:* the directory has no manager for alice@example.com.",
    );
  });

  it("stays within Slack's block limits for a leaver with hundreds of grants", () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ ...report().grants[0]!, grantId: `G${i}` }));
    const { blocks } = renderOffboarding(report({ grants: many }), "final", "manager");
    expect(blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    for (const b of blocks as { text: { text: string } }[]) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it("escapes Slack control characters in names", () => {
    expect(renderOffboarding(report({ person: { email: "a@x.com", displayName: "<!channel>" } }), "final", "manager").text).toContain("*&lt;!channel&gt;*");
  });
});
