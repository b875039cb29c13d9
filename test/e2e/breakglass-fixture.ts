/**
 * The break-glass e2e world: the shipped catalog with break-glass allowed on prod-db-readonly
 * (max 1h, review within 24h, a security channel alerted) and on a second resource whose review
 * window is 2 s (to see the deadline pass), a source-of-truth directory (so managers are known),
 * and helpers to use break-glass from Slack and read what was said where.
 */
import { readFileSync } from "node:fs";
import { startDirectory, type TestDirectory } from "./directory-fixture.ts";
import { OPS_CHANNEL, Stack } from "./stack.ts";
import type { Grant } from "../../src/domain/grant.ts";

export const SECURITY_CHANNEL = "C0SEC00001";

const SHIPPED = readFileSync(new URL("../../grants/catalog.yaml", import.meta.url), "utf8");

/** prod-db-readonly gains a breakglass block; incident-db is break-glass with a 2 s review window. */
export const BREAKGLASS_CATALOG = `${SHIPPED.replace(
  "    slack_channel: C0DBA00001\n",
  `    slack_channel: C0DBA00001\n    breakglass: { max: 1h, review_within: 24h, channels: [${SECURITY_CHANNEL}] }\n`,
).trimEnd()}

  incident-db:
    description: Write access to the incident database
    scim: { target: aws, groups: [incident-db] }
    duration: { default: 1h, max: 4h }
    approvers: { users: [carol-gh], min: 1 }
    eligible: [engineering]
    credential: { audience: incident-db, scopes: ["db:write"] }
    breakglass: { max: 30m, review_within: 2s }
`;

const FILED_RE = /Break-glass grant `([0-9A-Z]{26})`/;

export interface BreakglassWorld {
  stack: Stack;
  directory: TestDirectory;
}

export async function startBreakglassWorld(): Promise<BreakglassWorld> {
  const directory = await startDirectory();
  const stack = await Stack.start({ catalogText: BREAKGLASS_CATALOG, ...directory.stackOptions() });
  // The first directory poll (at start) records managers: alice -> dave, bob -> dave, carol -> erin.
  await stack.waitFor(async () => (await stack.grantbot.deps.people.get("alice@example.com"))?.managerEmail, 10_000, "the directory's managers");
  return { stack, directory };
}

/** Every text one slash command got back (ack body and response_url posts). */
export async function slashReplies(stack: Stack, slackId: string, text: string, count = 2): Promise<string[]> {
  const ack = await stack.slash(text, slackId);
  if (ack.status !== 200) throw new Error(`slash command answered ${ack.status}: ${ack.text}`);
  const acked = ack.text ? String((JSON.parse(ack.text) as { text?: string }).text ?? "") : "";
  // A command typed wrong is answered in the ack alone.
  if (acked.startsWith("⚠️")) return [acked];
  return stack.replies(ack.responseId, ack.text, count - 1);
}

/** `/access breakglass <text>`; the grant id from the reply, or the replies when refused. */
export async function breakGlass(stack: Stack, slackId: string, text: string): Promise<{ grantId: string | null; replies: string[] }> {
  const replies = await slashReplies(stack, slackId, `breakglass ${text}`);
  return { grantId: replies.map((r) => FILED_RE.exec(r)?.[1]).find(Boolean) ?? null, replies };
}

/** A break-glass grant that is active, with its review PR open. */
export async function activeBreakglass(stack: Stack, slackId: string, text: string): Promise<{ grant: Grant; pr: number }> {
  const { grantId, replies } = await breakGlass(stack, slackId, text);
  if (!grantId) throw new Error(`break-glass refused: ${replies.join(" | ")}`);
  await stack.waitForGrant(grantId, ["active"]);
  const withPr = await stack.waitFor(async () => {
    const g = await stack.grant(grantId);
    return g.prNumber !== null ? g : null;
  }, 5000, `the review PR of ${grantId}`);
  return { grant: withPr, pr: withPr.prNumber! };
}

/** Texts of the messages posted in a channel (current versions). */
export function channelTexts(stack: Stack, channel: string): string[] {
  return stack.slack.messages(channel).map((m) => stack.slack.visibleText(m.channel, m.ts) ?? m.text);
}

export function opsTexts(stack: Stack): string[] {
  return channelTexts(stack, OPS_CHANNEL);
}

/** Waits for a message in `channel` that mentions the grant and matches. */
export async function waitForChannel(stack: Stack, channel: string, grantId: string, match: RegExp, timeoutMs = 5000): Promise<string> {
  return stack.waitFor(() => channelTexts(stack, channel).find((t) => t.includes(grantId) && match.test(t)), timeoutMs, `a message in ${channel} about ${grantId} matching ${match}`);
}

/** Audit rows of one action for a grant. */
export async function auditOf(stack: Stack, grantId: string, action: string): Promise<Array<Record<string, unknown>>> {
  return (await stack.grantbot.deps.audit
    .forGrant(grantId))
    .filter((r) => r.action === action)
    .map((r) => r.data ?? {});
}

export async function waitForAudit(stack: Stack, grantId: string, action: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  return stack.waitFor(async () => (await auditOf(stack, grantId, action))[0], timeoutMs, `audit ${action} of ${grantId}`);
}
