/**
 * Job: commit the grant file on `grant/<id>` and open the pull request (one atomic commit).
 * Idempotent through ChangeRequests.open; when GitHub keeps failing, the request is cancelled
 * and the requester told.
 */
import { renderPrBody, renderPrTitle } from "../../domain/pr-body.ts";
import { changeState } from "./transitions.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { formatDuration } from "../../domain/durations.ts";
import type { ServiceDeps } from "../deps.ts";
import { queueNote } from "../messages/outbox.ts";
import { queueClosePr } from "./cancel-request.ts";
import { requestHint } from "../usage/grant-usage.ts";

export const PR_LABELS = ["grantbot", "access-request"];

export type OpenPullRequestHandlerDeps = Pick<ServiceDeps, "audit" | "changes" | "clock" | "credentials" | "grants" | "homeUsers" | "jobs" | "policy" | "tx" | "usage" | "wake">;

/** The catalog facts a PR body shows, as they were when the request was validated. */
export function openPullRequestHandler(deps: OpenPullRequestHandlerDeps): KindHandler<"open_pr"> {
  return {
    maxAttempts: 8,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant || grant.state !== "requested") return;
      const resource = payload.policy ?? (await deps.policy.current()).catalog.resources[grant.resource];
      const approvers = resource
        ? [...resource.approvers.teams.map((t) => `@${t}`), ...resource.approvers.users.map((u) => `@${u}`)].join(", ")
        : "(resource no longer in the catalog)";
      const input = {
        grantId: grant.id,
        resource: grant.resource,
        resourceDescription: resource?.description ?? "",
        subject: grant.subject,
        requester: grant.requester,
        duration: formatDuration(grant.durationMs),
        reason: grant.reason,
        requestedAt: new Date(grant.requestedAt).toISOString(),
        policy: {
          max: resource?.duration.max ?? "?",
          approvers,
          min: resource?.approvers.min ?? 1,
          reasonRequired: resource?.reason_required ?? true,
        },
        ...(grant.extends ? { extends: grant.extends } : {}),
        // "alice has had 9 grants of prod-db-readonly in 30 days, 2 of them never used" (no GitHub call).
        history: await requestHint(deps, grant.subject, grant.resource, deps.clock.now()),
      };
      const pr = await deps.changes.open({
        branch: grant.branch,
        path: grant.filePath,
        content: grant.fileContent,
        commitMessage: `Request ${grant.resource} for ${grant.subject} (${formatDuration(grant.durationMs)})\n\nGrant ${grant.id}`,
        title: renderPrTitle(input),
        body: renderPrBody(input),
        labels: [...PR_LABELS, `resource:${grant.resource}`],
      });
      const now = deps.clock.now();
      await deps.tx.transaction(async () => {
        const moved = await changeState(deps, grant.id, ["requested"], {
          state: "pr_open",
          prNumber: pr.number,
          prUrl: pr.url,
          headSha: pr.headSha,
          updatedAt: now,
        });
        if (!moved) {
          await closeIfCancelled(deps, grant.id, pr.number, pr.url, now);
          return;
        }
        const updated = (await deps.grants.get(grant.id))!;
        await deps.audit.append({ at: now, actor: "grantbot", action: "grant.pr_opened", grantId: grant.id, data: { pr: pr.number, url: pr.url } });
        await queueNote(deps, updated, "request_opened");
      });
    },
    async onDead(payload, error) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant) return;
      const now = deps.clock.now();
      await deps.tx.transaction(async () => {
        if (!await changeState(deps, grant.id, ["requested"], { state: "cancelled", endedAt: now, endReason: `could not open the pull request: ${error}`, updatedAt: now })) return;
        await deps.audit.append({ at: now, actor: "grantbot", action: "grant.pr_failed", grantId: grant.id, data: { error } });
        await queueNote(deps, (await deps.grants.get(grant.id))!, "request_failed", { message: "GitHub did not accept the pull request after several tries." });
      });
    },
  };
}

type CloseIfCancelledDeps = Pick<ServiceDeps, "grants" | "jobs">;

/** The request was cancelled (its requester left) while its PR was being opened: close that PR. */
async function closeIfCancelled(deps: CloseIfCancelledDeps, grantId: string, prNumber: number, prUrl: string, now: number): Promise<void> {
  const current = await deps.grants.get(grantId);
  if (current?.state !== "cancelled" || current.prNumber !== null) return;
  await deps.grants.update(grantId, ["cancelled"], { prNumber, prUrl, updatedAt: now });
  await queueClosePr(deps, grantId, prNumber, `🚪 **Closed by grantbot:** this request was cancelled (${current.endReason ?? "cancelled"}) while its pull request was being opened. Nothing was granted.`);
}
