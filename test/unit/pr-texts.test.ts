import { describe, expect, it } from "vitest";
import { endComment, rejectionComment } from "../../src/domain/pr-texts.ts";

const AT = Date.UTC(2026, 10, 22, 10, 0, 0);

describe("PR comments at the end of a grant", () => {
  it("says a membership was removed and verified", () => {
    const text = endComment({ reason: "expired", at: AT, removed: [{ group: "prod-db-readonly", verified: true }] });
    expect(text).toContain("⏱️ **Expired** at 2026-11-22T10:00:00Z");
    expect(text).toContain("- `prod-db-readonly`: membership removed (verified)");
  });

  it("says a membership was kept, and which grant still covers it, instead of claiming it was removed", () => {
    const text = endComment({ reason: "released", at: AT, removed: [{ group: "prod-db-readonly", verified: true, keptBy: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A" }] });
    expect(text).toContain("- `prod-db-readonly`: membership kept: still covered by grant 01JD2S3K7Q8R9T0V1W2X3Y4Z5A");
    expect(text).not.toContain("removed");
  });

  it("says why a merged PR was not activated", () => {
    expect(rejectionComment("the grant file was changed after grantbot wrote it")).toMatch(/^❌ \*\*Not activated\.\*\* the grant file was changed after grantbot wrote it\n/);
  });
});
