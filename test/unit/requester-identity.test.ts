import { describe, expect, it } from "vitest";
import type { People } from "../../src/domain/grant-files.ts";
import { assertRequesterIsSlackUser } from "../../src/services/grants/request-access.ts";

const people: People = {
  people: [
    { email: "alice@example.com", github: "alice-gh", slack: "U0ALICE0001" },
    { email: "bob@example.com", github: "bob-gh" },
  ],
};

describe("the requester is the Slack user people.yaml pairs with their email", () => {
  it.each([
    ["the Slack user listed for the email", "alice@example.com", "U0ALICE0001"],
    ["the listed Slack user, ids compared case-insensitively", "ALICE@example.com", "u0alice0001"],
    ["a person people.yaml lists without a Slack id", "bob@example.com", "U0BOB000001"],
    ["someone people.yaml does not list", "zed@example.com", "U0ZED000001"],
  ])("accepts %s", (_what, email, slackId) => {
    expect(() => assertRequesterIsSlackUser(people, email, slackId)).not.toThrow();
  });

  it.each([
    ["another Slack account showing alice's email", "alice@example.com", "U0OTHER0001", /gives your email address to another Slack account; ask the platform team/],
    ["alice's Slack account showing another email", "zed@example.com", "U0ALICE0001", /lists your Slack account with another email than your Slack profile shows; ask the platform team/],
    ["alice's Slack account showing bob's email", "bob@example.com", "U0ALICE0001", /lists your Slack account with another email/],
  ])("refuses %s with a sentence and a next step", (_what, email, slackId, says) => {
    expect(() => assertRequesterIsSlackUser(people, email, slackId)).toThrow(expect.objectContaining({ code: "unknown_person", message: expect.stringMatching(says) }));
  });
});
