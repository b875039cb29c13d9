/**
 * The `/access` slash command. Every branch acks first (Slack's 3-second limit; nothing slow runs
 * before the ack) and does the work after, replying through `respond` (response_url), always
 * ephemeral. Bad input gets the sentence that explains it plus the exact usage of that form.
 */
import type { App, RespondFn } from "@slack/bolt";
import { toAppError } from "../../domain/errors.ts";
import { formatDuration } from "../../domain/durations.ts";
import { parseSlashCommand, SUBCOMMANDS, USAGE, USAGE_LINES, type SlashCommand } from "../../domain/slash-command.ts";
import { extendGrant, linkedLiveGrants, releaseGrant } from "../../services/grants/grant-commands.ts";
import { buildHome } from "../../services/surfaces/home-tab.ts";
import { requestAccess } from "../../services/grants/request-access.ts";
import { requestBreakglass } from "../../services/breakglass/request-breakglass.ts";
import { errorText, requireEmail, type SlackHandlerContext } from "./handler-context.ts";
import { openRequestForm } from "./request-form.ts";
import { listReply } from "./views/list-reply.ts";
import { afterAcks } from "../../services/jobs/foreground.ts";

export const ACCESS_COMMAND = "/access";

/** The `/access help` text. */
export const HELP_TEXT = [
  "*grantbot* gives you time-bound access: each request becomes a pull request, an approver merges it, and the access ends on its own.",
  USAGE,
  "Your live grants and pending requests are also on grantbot's *Home* tab, with Extend and Release buttons.",
].join("\n");

/** `usage` is one of USAGE_LINES, or USAGE, which carries its own "Usage:" heading. */
function usageText(usage: string): string {
  return usage.startsWith("Usage:") ? usage : `Usage: ${usage}`;
}

function parseErrorText(parsed: Extract<SlashCommand, { kind: "error" }>): string {
  return `⚠️ ${parsed.message}\n${usageText(parsed.usage)}`;
}

/** Errors that mean "the command was typed wrong": the reply repeats the usage line. */
const TYPO_CODES = new Set(["unknown_resource", "bad_duration", "bad_input", "grant_not_found"]);

function withUsage(err: unknown, usage: string): string {
  return TYPO_CODES.has(toAppError(err).code) ? `${errorText(err)}\n${usageText(usage)}` : errorText(err);
}

function isSubcommand(text: string): boolean {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  return (SUBCOMMANDS as readonly string[]).includes(first);
}

export function registerAccessCommand(app: App, ctx: SlackHandlerContext): void {
  const { deps } = ctx;
  const reply = async (respond: RespondFn, text: string, blocks?: unknown[]) => {
    await respond({ response_type: "ephemeral", replace_original: false, text, ...(blocks ? { blocks: blocks as never } : {}) });
  };

  app.command(ACCESS_COMMAND, async ({ command, ack: acknowledge, respond, client, logger }) => {
    // Acknowledge, then let the other commands of a burst be acknowledged before the slow part.
    const ack: typeof acknowledge = async (response?: Parameters<typeof acknowledge>[0]) => {
      await acknowledge(response);
      await afterAcks(deps.foreground);
    };
    const text = command.text ?? "";
    const parsed = parseSlashCommand(text);
    const user = command.user_id;
    switch (parsed.kind) {
      case "error":
        if (isSubcommand(text)) {
          await ack({ response_type: "ephemeral", text: parseErrorText(parsed) });
          return;
        }
        // Not a subcommand: with the catalog at hand (read after the ack) the error can say
        // "did you mean /access list?" or list the resources.
        await ack();
        try {
          const { catalog } = await deps.policy.current();
          const again = parseSlashCommand(text, { resources: Object.keys(catalog.resources) });
          await reply(respond, again.kind === "error" ? parseErrorText(again) : parseErrorText(parsed));
        } catch {
          await reply(respond, parseErrorText(parsed));
        }
        return;
      case "help":
        await ack({ response_type: "ephemeral", text: HELP_TEXT });
        return;
      case "modal":
        await ack();
        try {
          await openRequestForm(ctx, client, command.trigger_id);
        } catch (err) {
          logger.error(`views.open failed: ${String(err)}`);
          await reply(respond, errorText(err));
        }
        return;
      case "request":
        await ack({ response_type: "ephemeral", text: `⏳ Requesting *${parsed.resource}* for ${parsed.duration}…` });
        try {
          const email = await requireEmail(ctx, user);
          const grant = await requestAccess(deps, { requesterEmail: email, requesterSlackId: user, resource: parsed.resource, duration: parsed.duration, reason: parsed.reason });
          await reply(respond, `📝 Request \`${grant.id}\` filed for *${grant.resource}* (${formatDuration(grant.durationMs)}). The pull request link follows by DM.`);
        } catch (err) {
          await reply(respond, withUsage(err, USAGE_LINES.request));
        }
        return;
      case "breakglass":
        await ack({ response_type: "ephemeral", text: `🚨 Break-glass: requesting *${parsed.resource}* for ${parsed.duration}…` });
        try {
          const email = await requireEmail(ctx, user);
          const grant = await requestBreakglass(deps, { requesterEmail: email, requesterSlackId: user, resource: parsed.resource, duration: parsed.duration, reason: parsed.reason });
          const alerted = (await deps.people.get(email))?.managerEmail ? "ops and your manager are" : "ops is";
          await reply(
            respond,
            `🚨 Break-glass grant \`${grant.id}\` for *${grant.resource}* (${formatDuration(grant.durationMs)}) is being activated now, without prior review: the credential follows by DM. ` +
              `A review PR is opened and ${alerted} alerted. It cannot be extended; release it as soon as you are done.`,
          );
        } catch (err) {
          await reply(respond, withUsage(err, USAGE_LINES.breakglass));
        }
        return;
      case "list":
        await ack();
        try {
          const message = listReply(await buildHome(deps, ctx.slack, await requireEmail(ctx, user)));
          await reply(respond, message.text, message.blocks);
        } catch (err) {
          await reply(respond, errorText(err));
        }
        return;
      case "release":
        await ack();
        try {
          const email = await requireEmail(ctx, user);
          const before = await deps.grants.get(parsed.grantId);
          const linked = before ? (await linkedLiveGrants(deps, before)).filter((g) => g.subject === email) : [];
          const grant = await releaseGrant(deps, parsed.grantId, email);
          const also = linked.length > 0 ? ` Linked grant${linked.length === 1 ? "" : "s"} ${linked.map((g) => `\`${g.id}\``).join(", ")} end${linked.length === 1 ? "s" : ""} too.` : "";
          await reply(respond, `🔓 Releasing \`${grant.id}\` (*${grant.resource}*): access is being removed now.${also} You will get a DM once the removal is verified.`);
        } catch (err) {
          await reply(respond, withUsage(err, USAGE_LINES.release));
        }
        return;
      case "extend":
        await ack();
        try {
          const grant = await extendGrant(deps, { grantId: parsed.grantId, email: await requireEmail(ctx, user), slackId: user, duration: parsed.duration });
          await reply(respond, `📝 Extension \`${grant.id}\` filed for *${grant.resource}* (${formatDuration(grant.durationMs)}), extending \`${parsed.grantId}\`. Once it is approved and merged your access continues without a gap. The pull request link follows by DM.`);
        } catch (err) {
          await reply(respond, withUsage(err, USAGE_LINES.extend));
        }
        return;
    }
  });
}
