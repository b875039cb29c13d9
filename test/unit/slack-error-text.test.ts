import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode } from "../../src/domain/errors.ts";
import { NEXT_STEP, userFacingError } from "../../src/adapters/slack/views/error-text.ts";

describe("what a Slack user reads for an error", () => {
  it.each<[ErrorCode, string, string]>([
    ["bad_duration", "prod-db-readonly allows at most 4h; ask for 4h or less", "prod-db-readonly allows at most 4h; ask for 4h or less."],
    ["bad_duration", '"soon" is not a duration', '"soon" is not a duration. Durations look like 90s, 30m, 4h or 1d; the request form shows each resource\'s maximum.'],
    ["unknown_resource", 'unknown resource "x"; valid resources include a, b', 'unknown resource "x"; valid resources include a, b. Pick one from the menu of `/access`, which lists every resource.'],
    ["policy_denied", "prod-db-readonly requires a reason (for example a ticket or incident id)", "prod-db-readonly requires a reason (for example a ticket or incident id). If you think you should be allowed, ask the resource's owners."],
    ["not_allowed", "grant 01X is not yours", "grant 01X is not yours. Only the person who holds a grant can release or extend it."],
    ["grant_not_found", "there is no grant 01X", "there is no grant 01X. Check the id with `/access list`."],
    ["invalid_transition", "grant 01X is expired, not active", "grant 01X is expired, not active. Check its state with `/access list`."],
    ["unknown_person", "grantbot cannot see an email address on your Slack profile", "grantbot cannot see an email address on your Slack profile. Ask the platform team to add you to grants/people.yaml or the directory."],
  ])("shows a %s message written for users, with the next step", (code, message, shown) => {
    expect(userFacingError(code, message)).toBe(shown);
  });

  it.each<ErrorCode>(["target_unavailable", "target_rejected", "config_invalid", "unauthorized", "internal"])(
    "hides the technical message of %s behind a plain sentence",
    (code) => {
      const shown = userFacingError(code, "Slack chat.postMessage failed: invalid_auth at /srv/x.js:12 token xoxb-secret");
      expect(shown).not.toMatch(/xoxb|chat\.postMessage|\.js/);
      expect(shown.endsWith(NEXT_STEP[code])).toBe(true);
    },
  );

  it("has a sentence and a next step for every error code", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const shown = userFacingError(code, "");
      expect(shown).toMatch(/^\S.*\. \S.*[.)]$/);
      expect(NEXT_STEP[code].length).toBeGreaterThan(10);
    }
  });
});
