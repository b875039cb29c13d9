/**
 * What every Slack listener needs — services, the Slack experience's stores, the user directory —
 * and the two things they all do: find out who clicked or typed (an email), and turn a failure into
 * a sentence for that person.
 */
import type { WebClient } from "@slack/web-api";
import { AppError, isAppError, toAppError } from "../../domain/errors.ts";
import type { ServiceDeps } from "../../services/deps.ts";
import { REQUEST_POLICY_MAX_AGE_MS, type Policy } from "../../services/policy/policy-provider.ts";
import { assertRequesterIsSlackUser } from "../../services/grants/request-access.ts";
import type { SlackExperience } from "../../services/ports/slack.ts";
import type { SlackIdentities } from "./slack-identities.ts";
import { userFacingError } from "./views/error-text.ts";

export interface SlackHandlerContext {
  deps: ServiceDeps;
  slack: SlackExperience;
  directory: SlackIdentities;
}

/**
 * The email of the Slack user who typed or clicked, or `unknown_person` when their profile shows
 * none or when people.yaml pairs that email (or this Slack user) with someone else
 * (assertRequesterIsSlackUser). Every listener that files or acts on a request starts here.
 */
export async function requireEmail(ctx: SlackHandlerContext, userId: string): Promise<string> {
  const email = await ctx.directory.emailOf(userId);
  if (!email) throw new AppError("unknown_person", "grantbot cannot see an email address on your Slack profile");
  await assertSlackIdentity(ctx, email, userId);
  return email;
}

/**
 * assertRequesterIsSlackUser against the current people.yaml. The cached policy will do, as for
 * filing a request. Before people.yaml could ever be read (GitHub down since start-up) the check
 * is skipped: filing a request needs the policy and checks again (requestAccess); releasing one's
 * own access must keep working in an outage.
 */
export async function assertSlackIdentity(ctx: SlackHandlerContext, email: string, userId: string): Promise<void> {
  const policy = await ctx.deps.policy.current({ maxAgeMs: REQUEST_POLICY_MAX_AGE_MS }).catch((): Policy | null => null);
  if (policy) assertRequesterIsSlackUser(policy.people, email, userId);
}

/** "⚠️ <sentence> <next step>" for any failure; technical details stay in the log. */
export function errorText(err: unknown): string {
  const e = toAppError(err);
  return `⚠️ ${userFacingError(e.code, isAppError(err) ? e.message : "")}`;
}

/** Tells a user something privately outside a slash command: in their DM with grantbot. */
export async function tellUser(client: WebClient, userId: string, text: string): Promise<void> {
  await client.chat.postMessage({ channel: userId, text }).catch(() => undefined);
}
