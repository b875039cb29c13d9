/**
 * The request form (modal `access_request`): opened by `/access`, the Home tab's "Request access"
 * button, and — prefilled as an extension of one live grant — by the Extend buttons. On submit the
 * input is checked against the catalog first, so a bad field is reported on that field and the
 * form stays open; otherwise the request (or extension) is filed and the PR link follows by DM.
 */
import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { describeRemaining, formatDuration } from "../../domain/durations.ts";
import type { Grant } from "../../domain/grant.ts";
import { reasonProblem } from "../../domain/grant-files.ts";
import { evaluateRequest, resolvePersonByEmail } from "../../domain/policy.ts";
import { extendGrant } from "../../services/grants/grant-commands.ts";
import { requestAccess } from "../../services/grants/request-access.ts";
import { errorText, requireEmail, tellUser, type SlackHandlerContext } from "./handler-context.ts";
import { escapeMrkdwn } from "./views/limits.ts";
import { REQUEST_MODAL, readRequestModal, readRequestModalMetadata, requestModal, resourceChoice } from "./views/request-modal.ts";
import { evaluateBreakglassRequest } from "../../domain/breakglass.ts";
import { assertMayBreakGlass, requestBreakglass } from "../../services/breakglass/request-breakglass.ts";
import { afterAcks } from "../../services/jobs/foreground.ts";

/** Modal errors are shown under the field; Slack cuts them, so we do first. */
const FIELD_ERROR_MAX = 150;

export async function openRequestForm(ctx: SlackHandlerContext, client: WebClient, triggerId: string): Promise<void> {
  const { catalog } = await ctx.deps.policy.current();
  await client.views.open({ trigger_id: triggerId, view: requestModal(catalog) as never });
}

/** The extension form of `grant` (already checked to be the clicker's live grant). */
export async function openExtensionForm(ctx: SlackHandlerContext, client: WebClient, triggerId: string, grant: Grant): Promise<void> {
  const { catalog } = await ctx.deps.policy.current();
  const resource = catalog.resources[grant.resource];
  const now = ctx.deps.clock.now();
  const left = grant.expiresAt !== null ? `; ${describeRemaining(grant.expiresAt - now)} left` : "";
  const view = requestModal(catalog, {
    resource: grant.resource,
    duration: resource?.duration.default ?? formatDuration(grant.durationMs),
    reason: `extension of ${grant.id}: ${grant.reason}`.slice(0, 1000),
    extends: grant.id,
    note: `Extending *${escapeMrkdwn(grant.resource)}* (grant \`${grant.id}\`${left}). At most ${resource?.duration.max ?? "?"}.`,
  });
  await client.views.open({ trigger_id: triggerId, view: view as never });
}

export function registerRequestForm(app: App, ctx: SlackHandlerContext): void {
  const { deps } = ctx;
  app.view(REQUEST_MODAL.callbackId, async ({ ack, body, view, client, logger }) => {
    const values = readRequestModal(view.state.values);
    const meta = readRequestModalMetadata(view.private_metadata);
    let email: string;
    // The menu's "Emergency" choices (resources that allow break-glass) carry a prefix.
    const choice = resourceChoice(values.resource);
    const emergency = choice.emergency && !meta.extends;
    let resource = choice.resource;
    const badReason = reasonProblem(values.reason);
    if (badReason !== null) {
      await ack({ response_action: "errors", errors: { [REQUEST_MODAL.reasonBlock]: badReason.slice(0, FIELD_ERROR_MAX) } });
      return;
    }
    try {
      email = await requireEmail(ctx, body.user.id);
      if (meta.extends) resource = (await deps.grants.get(meta.extends))?.resource ?? resource;
      const { catalog, people } = await deps.policy.current();
      const input = { catalog, resource, duration: values.duration || undefined, reason: values.reason, requester: { email, groups: resolvePersonByEmail(people, email)?.groups ?? [] } };
      const decision = emergency ? evaluateBreakglassRequest(input) : evaluateRequest(input);
      if (emergency && decision.ok) await assertMayBreakGlass(deps, email, resource, deps.clock.now());
      if (!decision.ok) {
        const block =
          decision.code === "bad_duration"
            ? REQUEST_MODAL.durationBlock
            : decision.code === "policy_denied" && /reason/i.test(decision.message)
              ? REQUEST_MODAL.reasonBlock
              : meta.extends
                ? REQUEST_MODAL.durationBlock
                : REQUEST_MODAL.resourceBlock;
        await ack({ response_action: "errors", errors: { [block]: decision.message.slice(0, FIELD_ERROR_MAX) } });
        return;
      }
    } catch (err) {
      const block = meta.extends ? REQUEST_MODAL.durationBlock : REQUEST_MODAL.resourceBlock;
      await ack({ response_action: "errors", errors: { [block]: errorText(err).slice(0, FIELD_ERROR_MAX) } });
      return;
    }
    await ack();
    // Like the slash command: let the other submissions of a burst be acknowledged first.
    await afterAcks(deps.foreground);
    try {
      const duration = values.duration || undefined;
      if (emergency) {
        // An empty duration means the resource's break-glass max.
        await requestBreakglass(deps, { requesterEmail: email, requesterSlackId: body.user.id, resource, duration, reason: values.reason });
      } else if (meta.extends) {
        // An empty duration means the resource's default, as for a new request.
        await extendGrant(deps, { grantId: meta.extends, email, slackId: body.user.id, duration: values.duration, reason: values.reason });
      } else {
        await requestAccess(deps, { requesterEmail: email, requesterSlackId: body.user.id, resource, duration, reason: values.reason });
      }
    } catch (err) {
      logger.warn(`request from the form failed: ${String(err)}`);
      await tellUser(client, body.user.id, errorText(err));
    }
  });
}
