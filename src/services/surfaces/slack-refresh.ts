/**
 * Every state change of a grant refreshes what Slack shows about it — its request card, and the
 * Home tab of its subject and requester when they have opened it — through durable jobs queued in
 * the same transaction as the change (so a crash can lose neither). Called by grants/transitions.ts,
 * the one way services change a grant's state.
 */
import type { Grant } from "../../domain/grant.ts";
import { enqueue } from "../jobs/enqueue.ts";
import { JOB, type JobInput } from "../jobs/kinds.ts";
import type { JobQueue, Clock } from "../ports/index.ts";
import type { SlackExperience } from "../ports/slack.ts";

/**
 * Refreshes of one card or one Home tab are collapsed per window: all changes inside one window
 * share one job that runs at the window's end and renders the state as it is then.
 */
export const REFRESH_WINDOW_MS = 200;

type QueueDeps = { jobs: JobQueue; clock: Clock };

/**
 * Queues `kind` for `key`, de-duplicated per window. Correct because the job cannot start before
 * the window ends, and every change inside the window committed before that (this runs inside the
 * change's synchronous transaction). Jobs of one key never overlap (lock key), so they finish in order.
 */
export async function queueDebounced<K extends "refresh_card" | "check_reviews" | "refresh_home">(deps: QueueDeps, kind: K, key: string, payload: JobInput<K>): Promise<void> {
  const window = Math.floor(deps.clock.now() / REFRESH_WINDOW_MS);
  await enqueue(deps.jobs, kind, payload, { runAt: (window + 1) * REFRESH_WINDOW_MS, dedupeKey: `${kind}:${key}:${window}`, lockKey: `${kind}:${key}`, maxAttempts: 20 });
}

/** Queues the card post (once, when the PR opens) or update, and the Home refreshes for `grant`. */
export async function queueGrantRefreshes(deps: QueueDeps, slack: Pick<SlackExperience, "homeUsers">, grant: Grant): Promise<void> {
  if (grant.state === "pr_open") {
    // First appearance of the card: posted once (the key never repeats), retried until done.
    await enqueue(deps.jobs, JOB.refreshCard, { grantId: grant.id, post: true }, { dedupeKey: `${JOB.refreshCard}:${grant.id}:post`, lockKey: `${JOB.refreshCard}:${grant.id}`, maxAttempts: 20 });
  } else if (grant.prNumber !== null) {
    await queueDebounced(deps, JOB.refreshCard, grant.id, { grantId: grant.id });
  }
  // An extension going live (or ending) changes what its original's card says ("continued by").
  if (grant.extends && (grant.state === "active" || grant.state === "approved")) {
    await queueDebounced(deps, JOB.refreshCard, grant.extends, { grantId: grant.extends });
  }
  await queueHomeRefreshes(deps, slack, [grant.subject, grant.requester]);
}

/** Queues a Home refresh for each email whose owner has opened the Home tab. */
export async function queueHomeRefreshes(deps: QueueDeps, slack: Pick<SlackExperience, "homeUsers">, emails: readonly string[]): Promise<void> {
  for (const email of new Set(emails.map((e) => e.toLowerCase()))) {
    if (await slack.homeUsers.get(email) !== null) await queueDebounced(deps, JOB.refreshHome, email, { email });
  }
}
