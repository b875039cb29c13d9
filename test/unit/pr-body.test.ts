import { describe, expect, it } from "vitest";
import { GITHUB_BODY_MAX, GITHUB_TITLE_MAX, escapeInline, renderPrBody, renderPrTitle, truncateText, type PrBodyInput } from "../../src/domain/pr-body.ts";

const input: PrBodyInput = {
  grantId: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A",
  resource: "prod-db-readonly",
  resourceDescription: "Read-only access to the production PostgreSQL replica",
  subject: "alice@example.com",
  requester: "bob@example.com",
  duration: "2h",
  reason: "INC-1234 investigate replica lag",
  requestedAt: "2026-11-22T10:00:00Z",
  policy: { max: "4h", approvers: "@acme/dba, @carol-gh", min: 2, reasonRequired: true },
};

describe("renderPrBody", () => {
  it("states who, what, how long, why and when", () => {
    const body = renderPrBody(input);
    expect(body).toContain("| **Who** | alice@example.com (requested by bob@example.com) |");
    expect(body).toContain("| **What** | `prod-db-readonly` — Read-only access to the production PostgreSQL replica |");
    expect(body).toContain("| **How long** | 2h from activation (the catalog allows at most 4h) |");
    expect(body).toContain("| **Why** | INC-1234 investigate replica lag |");
    expect(body).toContain("| **Requested at** | 2026-11-22T10:00:00Z |");
    expect(body).toContain("`01JD2S3K7Q8R9T0V1W2X3Y4Z5A`");
  });

  it("states the policy: approvers, minimum approvals, maximum duration, reason rule", () => {
    const body = renderPrBody(input);
    expect(body).toContain("**Approvers:** @acme/dba, @carol-gh — at least **2 approvals** required.");
    expect(body).toContain("**Maximum duration:** 4h.");
    expect(body).toContain("A reason is required for this resource.");
    expect(renderPrBody({ ...input, policy: { ...input.policy, min: 1, reasonRequired: false } })).toMatch(/at least \*\*1 approval\*\* required[\s\S]*A reason is optional/);
  });

  it("explains that approving the final commit and merging activates the grant", () => {
    const body = renderPrBody(input);
    expect(body).toContain("Approve this pull request **on its final commit**, then **merge** it: merging activates the grant for 2h.");
    expect(body).toContain("Closing without merging declines the request.");
  });

  it("says when the requester is the subject and when the request extends a grant", () => {
    const body = renderPrBody({ ...input, requester: input.subject, extends: "01JD0000000000000000000000" });
    expect(body).toContain("alice@example.com (self-requested)");
    expect(body).toContain("| **Extends** | `01JD0000000000000000000000` |");
    expect(body).toMatch(/^## Access extension:/);
  });

  it("keeps a reason from breaking the table, injecting HTML or pinging people", () => {
    const body = renderPrBody({ ...input, reason: "fix | prod\n<!-- hide --> @everyone ping @acme/security" });
    const row = body.split("\n").find((l) => l.startsWith("| **Why**"))!;
    expect(row).toBe("| **Why** | fix \\| prod \\<!-- hide --\\> @\u200beveryone ping @\u200bacme/security |");
  });

  it("never exceeds GitHub's body limit", () => {
    const body = renderPrBody({ ...input, resourceDescription: "d".repeat(100_000), reason: "r".repeat(100_000) });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_MAX);
    expect(GITHUB_BODY_MAX).toBe(65_536);
    expect(renderPrBody({ ...input, reason: "r".repeat(10_000) })).toContain(`${"r".repeat(3_999)}…`);
  });
});

describe("renderPrTitle", () => {
  it("names the resource, subject and duration", () => {
    expect(renderPrTitle(input)).toBe("Access: prod-db-readonly for alice@example.com (2h)");
    expect(renderPrTitle({ ...input, extends: "01JD" })).toBe("Extend access: prod-db-readonly for alice@example.com (2h)");
  });

  it("is cut to 256 characters", () => {
    const title = renderPrTitle({ ...input, subject: `${"a".repeat(300)}@example.com` });
    expect(title).toHaveLength(GITHUB_TITLE_MAX);
    expect(title.endsWith("…")).toBe(true);
  });
});

describe("text helpers", () => {
  it("truncates without splitting a surrogate pair", () => {
    expect(truncateText("ab😀cd", 4)).toBe("ab…");
    expect(truncateText("short", 10)).toBe("short");
  });

  it("escapes Markdown in inline text", () => {
    expect(escapeInline("*bold* _it_ `code` [link](x) #1")).toBe("\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\#1");
  });
});
