/**
 * Job `open_breakglass_pr`: commits the grant file (`emergency: true`) on `breakglass/<id>` and
 * opens the review PR labelled `breakglass` — one atomic commit, idempotent through
 * ChangeRequests.open (a retry after a crash finds the branch or the PR and reuses it). Retried
 * until GitHub takes it, operators alerted meanwhile: unlike a request, the access already exists
 * and must not be left without its review. Records the PR on the grant whatever state the grant
 * is in by then (an emergency grant may already have ended), then announces if the access is live.
 */
import { BREAKGLASS_LABEL } from "../../domain/breakglass.ts";
import { breakglassPrBody, breakglassPrTitle } from "../../domain/breakglass-texts.ts";
import { formatDuration } from "../../domain/durations.ts";
import { GRANT_STATES } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { announceIfReady } from "./announce.ts";

export const BREAKGLASS_PR_LABELS = ["grantbot", BREAKGLASS_LABEL];

export type OpenBreakglassPrHandlerDeps = Pick<ServiceDeps, "audit" | "breakglass" | "changes" | "clock" | "credentials" | "grants" | "jobs" | "notifier" | "people" | "policy" | "tx" | "wake">;

export function openBreakglassPrHandler(deps: OpenBreakglassPrHandlerDeps): KindHandler<"open_breakglass_pr"> {
  return {
    maxAttempts: null,
    alertAfterAttempts: 3,
    async onAlert(payload, error, attempts) {
      await deps.notifier.ops({ kind: "ops_alert", title: "A break-glass review PR cannot be opened", detail: `grant ${payload.grantId} is live without its review PR: ${error} (attempt ${attempts}; grantbot keeps trying)`, grantId: payload.grantId });
    },
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      const record = await deps.breakglass.get(payload.grantId);
      if (!grant || !record || grant.prNumber !== null) return;
      const resource = payload.policy ?? (await deps.policy.current()).catalog.resources[grant.resource];
      const approvers = resource ? [...resource.approvers.teams.map((t) => `@${t}`), ...resource.approvers.users.map((u) => `@${u}`)].join(", ") : "";
      const pr = await deps.changes.open({
        branch: grant.branch,
        path: grant.filePath,
        content: grant.fileContent,
        commitMessage: `Break-glass ${grant.resource} for ${grant.subject} (${formatDuration(grant.durationMs)})\n\nGrant ${grant.id}, active before review.`,
        title: breakglassPrTitle(grant),
        body: breakglassPrBody({
          grantId: grant.id,
          resource: grant.resource,
          resourceDescription: resource?.description ?? "",
          subject: grant.subject,
          durationMs: grant.durationMs,
          reason: grant.reason,
          requestedAt: grant.requestedAt,
          reviewWithinMs: record.reviewWithinMs,
          approvers,
          min: resource?.approvers.min ?? 1,
        }),
        labels: [...BREAKGLASS_PR_LABELS, `resource:${grant.resource}`],
      });
      const now = deps.clock.now();
      await deps.tx.transaction(async () => {
        if (!await deps.grants.update(grant.id, GRANT_STATES, { prNumber: pr.number, prUrl: pr.url, headSha: pr.headSha, updatedAt: now })) return;
        await deps.audit.append({ at: now, actor: "grantbot", action: "breakglass.pr_opened", grantId: grant.id, data: { pr: pr.number, url: pr.url } });
        await announceIfReady(deps, grant.id, now);
      });
      deps.wake();
    },
  };
}
