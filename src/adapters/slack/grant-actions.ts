/**
 * The buttons (block_actions): Release and Extend on a live grant (Home tab, `/access list`,
 * the credential DM, the pre-expiry reminder), "Request access" on the Home tab, and the PR link
 * buttons. Release and Extend run the same checks as the subcommands: only the grant's subject
 * may use them, on a live grant. Answers go where the button was: an ephemeral reply under a
 * message, or — on the Home tab, which has no response_url — the refreshed tab plus a DM.
 */
import type { App, BlockAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { PENDING_STATES } from "../../domain/grant.ts";
import { AppError } from "../../domain/errors.ts";
import { linkedLiveGrants, ownLiveGrant, releaseGrant } from "../../services/grants/grant-commands.ts";
import { openHome } from "../../services/surfaces/home-tab.ts";
import { errorText, requireEmail, tellUser, type SlackHandlerContext } from "./handler-context.ts";
import { openExtensionForm, openRequestForm } from "./request-form.ts";
import { ACTIONS } from "./views/blocks.ts";
import { assertExtendable } from "../../domain/breakglass.ts";

interface Clicked {
  userId: string;
  value: string;
  triggerId: string;
  responseUrl: string | null;
  fromHome: boolean;
}

function clicked(body: BlockAction): Clicked {
  const action = body.actions[0] as { value?: string } | undefined;
  return {
    userId: body.user.id,
    value: action?.value ?? "",
    triggerId: body.trigger_id,
    responseUrl: body.response_url ?? null,
    fromHome: body.view?.type === "home" || body.container?.type === "view",
  };
}

export function registerGrantActions(app: App, ctx: SlackHandlerContext): void {
  const { deps } = ctx;

  /** Tells the clicker `text`: under the message they clicked, else by DM. */
  const answer = async (client: WebClient, click: Clicked, text: string, respond?: (m: Record<string, unknown>) => Promise<unknown>) => {
    if (click.responseUrl && respond) {
      await respond({ response_type: "ephemeral", replace_original: false, text }).catch(() => tellUser(client, click.userId, text));
    } else {
      await tellUser(client, click.userId, text);
    }
  };

  /** The Home tab shows the outcome at once (the queued refresh follows too). */
  const refreshHome = async (click: Clicked, email: string | null) => {
    if (!click.fromHome || !email) return;
    await openHome(deps, ctx.slack, click.userId, email).catch(() => undefined);
  };

  app.action<BlockAction>(ACTIONS.release, async ({ ack, body, client, respond }) => {
    await ack();
    const click = clicked(body);
    let email: string | null = null;
    try {
      email = await requireEmail(ctx, click.userId);
      const linked = await linkedLiveGrants(deps, await ownLiveGrant(deps, click.value.toUpperCase(), email));
      const grant = await releaseGrant(deps, click.value.toUpperCase(), email);
      const also = linked.length > 0 ? ` ${linked.map((g) => `\`${g.id}\``).join(", ")} ${linked.length === 1 ? "ends" : "end"} with it.` : "";
      await answer(client, click, `🔓 Releasing \`${grant.id}\` (*${grant.resource}*): access is being removed now.${also}`, respond as never);
    } catch (err) {
      await answer(client, click, errorText(err), respond as never);
    }
    await refreshHome(click, email);
  });

  app.action<BlockAction>(ACTIONS.extend, async ({ ack, body, client, respond }) => {
    await ack();
    const click = clicked(body);
    try {
      const email = await requireEmail(ctx, click.userId);
      const grant = await ownLiveGrant(deps, click.value.toUpperCase(), email);
      assertExtendable(grant);
      const waiting = (await deps.grants.listBySubject(grant.subject, PENDING_STATES)).find((g) => g.extends === grant.id);
      if (waiting) {
        throw new AppError("invalid_transition", `grant ${grant.id} already has an extension waiting for review (${waiting.prUrl ? `<${waiting.prUrl}|PR #${waiting.prNumber}>` : `request ${waiting.id}`})`);
      }
      await openExtensionForm(ctx, client, click.triggerId, grant);
    } catch (err) {
      await answer(client, click, errorText(err), respond as never);
    }
  });

  app.action<BlockAction>(ACTIONS.requestAccess, async ({ ack, body, client, respond }) => {
    await ack();
    const click = clicked(body);
    try {
      await openRequestForm(ctx, client, click.triggerId);
    } catch (err) {
      await answer(client, click, errorText(err), respond as never);
    }
  });

  // A link button opens the PR in the browser; Slack still reports the click, which must be acked.
  app.action<BlockAction>(ACTIONS.openPullRequest, async ({ ack }) => {
    await ack();
  });
}
