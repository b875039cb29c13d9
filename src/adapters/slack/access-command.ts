/**
 * The `/access` slash command and the request modal, on a Bolt App. Every handler acks first
 * (Slack's 3-second limit) and does the slow work after, replying through `respond`
 * (response_url) or a DM.
 */
import type { App, RespondFn } from "@slack/bolt";
import { isAppError, toAppError } from "../../domain/errors.ts";
import { describeRemaining, formatDuration } from "../../domain/durations.ts";
import { evaluateRequest, resolvePersonByEmail } from "../../domain/policy.ts";
import { parseSlashCommand, USAGE } from "../../domain/slash-command.ts";
import type { ServiceDeps } from "../../services/deps.ts";
import { extendGrant, listMyGrants, releaseGrant } from "../../services/grant-commands.ts";
import { requestAccess } from "../../services/request-access.ts";
import type { SlackDirectory } from "./slack-directory.ts";
import { userFacingError } from "./views/error-text.ts";
import { REQUEST_MODAL, readRequestModal, requestModal } from "./views/request-modal.ts";

export const ACCESS_COMMAND = "/access";

function errorText(err: unknown): string {
  const e = toAppError(err);
  return `⚠️ ${userFacingError(e.code, isAppError(err) ? e.message : "unexpected error")}`;
}

export function registerAccessCommand(app: App, deps: ServiceDeps, directory: SlackDirectory): void {
  const requireEmail = async (userId: string): Promise<string> => {
    const email = await directory.emailOf(userId);
    if (!email) throw Object.assign(toAppError(new Error("no email on your Slack profile"), "unknown_person"), { message: "grantbot cannot see an email address on your Slack profile" });
    return email;
  };

  const reply = async (respond: RespondFn, text: string) => {
    await respond({ response_type: "ephemeral", replace_original: false, text });
  };

  app.command(ACCESS_COMMAND, async ({ command, ack, respond, client, logger }) => {
    const parsed = parseSlashCommand(command.text ?? "");
    switch (parsed.kind) {
      case "error":
        await ack({ response_type: "ephemeral", text: `⚠️ ${parsed.message}\nUsage: ${parsed.usage}` });
        return;
      case "help":
        await ack({ response_type: "ephemeral", text: USAGE });
        return;
      case "modal": {
        await ack();
        try {
          const { catalog } = await deps.policy.current();
          await client.views.open({ trigger_id: command.trigger_id, view: requestModal(catalog) as never });
        } catch (err) {
          logger.error(`views.open failed: ${String(err)}`);
          await reply(respond, errorText(err));
        }
        return;
      }
      case "request":
        await ack({ response_type: "ephemeral", text: `⏳ Requesting *${parsed.resource}* for ${parsed.duration}…` });
        try {
          const email = await requireEmail(command.user_id);
          const grant = await requestAccess(deps, { requesterEmail: email, requesterSlackId: command.user_id, resource: parsed.resource, duration: parsed.duration, reason: parsed.reason });
          await reply(respond, `📝 Request \`${grant.id}\` filed for *${grant.resource}* (${formatDuration(grant.durationMs)}). The pull request link follows by DM.`);
        } catch (err) {
          await reply(respond, errorText(err));
        }
        return;
      case "list": {
        await ack();
        try {
          const mine = listMyGrants(deps, await requireEmail(command.user_id));
          const now = deps.clock.now();
          const lines = [
            ...mine.live.map((g) => `• *${g.resource}* \`${g.id}\` — ${g.state === "active" ? `${describeRemaining((g.expiresAt ?? now) - now)} left` : "being activated"}`),
            ...mine.pending.map((g) => `• *${g.resource}* \`${g.id}\` — waiting for review${g.prUrl ? ` (<${g.prUrl}|PR #${g.prNumber}>)` : ""}`),
          ];
          await reply(respond, lines.length ? lines.join("\n") : "You have no live grants or pending requests.");
        } catch (err) {
          await reply(respond, errorText(err));
        }
        return;
      }
      case "release":
        await ack();
        try {
          const grant = releaseGrant(deps, parsed.grantId, await requireEmail(command.user_id));
          await reply(respond, `🔓 Releasing \`${grant.id}\` (*${grant.resource}*): access is being removed now.`);
        } catch (err) {
          await reply(respond, errorText(err));
        }
        return;
      case "extend":
        await ack();
        try {
          const grant = await extendGrant(deps, { grantId: parsed.grantId, email: await requireEmail(command.user_id), slackId: command.user_id, duration: parsed.duration });
          await reply(respond, `📝 Extension \`${grant.id}\` filed for *${grant.resource}* (${parsed.duration}). The pull request link follows by DM.`);
        } catch (err) {
          await reply(respond, errorText(err));
        }
        return;
    }
  });

  app.view(REQUEST_MODAL.callbackId, async ({ ack, body, view, client, logger }) => {
    const values = readRequestModal(view.state.values);
    let email: string;
    let meta: { extends?: string } = {};
    try {
      meta = JSON.parse(view.private_metadata || "{}") as { extends?: string };
      email = await requireEmail(body.user.id);
      const { catalog, people } = await deps.policy.current();
      const decision = evaluateRequest({ catalog, resource: values.resource, duration: values.duration || undefined, reason: values.reason, requester: { email, groups: resolvePersonByEmail(people, email)?.groups ?? [] } });
      if (!decision.ok) {
        const block = decision.code === "bad_duration" ? REQUEST_MODAL.durationBlock : decision.code === "policy_denied" && /reason/i.test(decision.message) ? REQUEST_MODAL.reasonBlock : REQUEST_MODAL.resourceBlock;
        await ack({ response_action: "errors", errors: { [block]: decision.message.slice(0, 150) } });
        return;
      }
    } catch (err) {
      await ack({ response_action: "errors", errors: { [REQUEST_MODAL.resourceBlock]: errorText(err).slice(0, 150) } });
      return;
    }
    await ack();
    try {
      await requestAccess(deps, { requesterEmail: email, requesterSlackId: body.user.id, resource: values.resource, duration: values.duration || undefined, reason: values.reason, ...(meta.extends ? { extends: meta.extends } : {}) });
    } catch (err) {
      logger.warn(`request from modal failed: ${String(err)}`);
      await client.chat.postMessage({ channel: body.user.id, text: errorText(err) }).catch(() => undefined);
    }
  });
}
