/**
 * A request still waiting for review, with its PR as GitHub has it now (read from the API, never
 * from a webhook payload): what the merge check and the close confirmation both start from.
 */
import type { Grant } from "../../domain/grant.ts";
import type { ServiceDeps } from "../deps.ts";
import type { PullRequestState } from "../ports/index.ts";

export type PendingRequestPrDeps = Pick<ServiceDeps, "grants" | "changes">;

/** null when the grant is gone, no longer `pr_open`, or has no PR. */
export async function pendingRequestPr(deps: PendingRequestPrDeps, grantId: string): Promise<{ grant: Grant; pr: PullRequestState } | null> {
  const grant = await deps.grants.get(grantId);
  if (!grant || grant.state !== "pr_open" || grant.prNumber === null) return null;
  return { grant, pr: await deps.changes.get(grant.prNumber) };
}
