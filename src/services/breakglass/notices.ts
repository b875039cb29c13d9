/**
 * Job `breakglass_notice`: tells one recipient about a break-glass grant — the ops channel, one of
 * the resource's `breakglass.channels`, the requester's manager (from the directory snapshot, read
 * when sending) or the person — rendered from the grant and its record as they are when sent.
 */
import type { ServiceDeps } from "../deps.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { Note } from "../ports/index.ts";

export type BreakglassNoticeHandlerDeps = Pick<ServiceDeps, "breakglass" | "grants" | "notifier" | "people">;

export function breakglassNoticeHandler(deps: BreakglassNoticeHandlerDeps): KindHandler<"breakglass_notice"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      const record = await deps.breakglass.get(payload.grantId);
      if (!grant || !record) return;
      // The alert that could not wait for the PR: the PR opened meanwhile, so the full one went out.
      if (payload.fallback && grant.prNumber !== null) return;
      const note: Note = { kind: "breakglass", event: payload.event, audience: payload.audience, grant, record };
      switch (payload.audience) {
        case "ops":
          await deps.notifier.ops(note);
          return;
        case "channel":
          if (payload.channel) await deps.notifier.toChannel(payload.channel, note);
          return;
        case "manager": {
          const manager = (await deps.people.get(grant.requester))?.managerEmail;
          if (manager) await deps.notifier.send({ email: manager }, note);
          return;
        }
        case "requester":
          await deps.notifier.send({ email: grant.requester, slackId: grant.requesterSlackId }, note);
          return;
      }
    },
  };
}
