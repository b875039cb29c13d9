/**
 * Short user journeys the e2e files share, built on `Stack`: file a request by slash command and
 * wait for its PR, get a grant active, read what a user was told. Assertions stay in the tests.
 */
import type { Grant } from "../../src/domain/grant.ts";
import type { Stack } from "./stack.ts";

const FILED_RE = /Request `([0-9A-Z]{26})` filed/;

export interface FiledRequest {
  grantId: string;
  pr: number;
}

/** `/access <text>` as `slackId`; returns the grant id from the reply once its PR is open. */
export async function fileRequest(stack: Stack, slackId: string, text: string): Promise<FiledRequest> {
  const ack = await stack.slash(text, slackId);
  if (ack.status !== 200) throw new Error(`slash command answered ${ack.status}: ${ack.text}`);
  const replies = await stack.replies(ack.responseId, ack.text);
  const grantId = replies.map((r) => FILED_RE.exec(r)?.[1]).find(Boolean);
  if (!grantId) throw new Error(`no "Request … filed" reply; got: ${replies.join(" | ")}`);
  return { grantId, pr: await stack.waitForPr(grantId) };
}

/** Approves the PR's head as `approver`, merges it (signed webhook) and waits for `active`. */
export async function activate(stack: Stack, filed: FiledRequest, approver = "carol-gh"): Promise<Grant> {
  stack.approve(filed.pr, approver);
  const merged = await stack.merge(filed.pr, approver);
  if (merged.status !== 202) throw new Error(`merge webhook answered ${merged.status}`);
  return stack.waitForGrant(filed.grantId, ["active"]);
}

/** A request that goes all the way to `active`. */
export async function activeGrant(stack: Stack, slackId: string, text: string, approver = "carol-gh"): Promise<Grant> {
  return activate(stack, await fileRequest(stack, slackId, text), approver);
}

/** Every ephemeral answer to one slash command: the HTTP ack, response_url posts, postEphemeral. */
export async function ephemeralReplies(stack: Stack, slackId: string, text: string, count = 1): Promise<{ status: number; texts: string[] }> {
  const before = stack.slack.ephemerals(slackId).length;
  const ack = await stack.slash(text, slackId);
  const fromAck = ack.text ? [String((JSON.parse(ack.text) as { text?: string }).text ?? "")].filter((t) => t !== "") : [];
  const collect = () => [
    ...fromAck,
    ...stack.slack.responses(ack.responseId).map((r) => String((r.payload as { text?: string }).text ?? "")),
    ...stack.slack.ephemerals(slackId).slice(before).map((e) => e.text),
  ];
  await stack.waitFor(() => collect().length >= count, 5000, `${count} ephemeral repl${count === 1 ? "y" : "ies"} to "/access ${text}"`);
  return { status: ack.status, texts: collect() };
}

/** The first DM to a user (current text, after edits) matching `match`. */
export async function waitForDm(stack: Stack, slackId: string, match: RegExp, timeoutMs = 5000): Promise<string> {
  return stack.waitFor(() => stack.dmTexts(slackId).find((t) => match.test(t)), timeoutMs, `a DM to ${slackId} matching ${match}`);
}

/** The first comment on a PR matching `match`. */
export async function waitForComment(stack: Stack, pr: number, match: RegExp, timeoutMs = 5000): Promise<string> {
  return stack.waitFor(() => stack.github.comments(pr).find((c) => match.test(c)), timeoutMs, `a comment on #${pr} matching ${match}`);
}
