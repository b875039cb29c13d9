/**
 * Every state change of a grant refreshes what Slack shows about it — its request card, and the
 * Home tab of its subject and requester when they have opened it — through durable jobs queued in
 * the same transaction as the change (so a crash can lose neither). Called by grants/transitions.ts,
 * the one way services change a grant's state.
 */
import type { Grant } from "../../domain/grant.ts";
import { jobSpec } from "../jobs/enqueue.ts";
import { JOB, type JobInput } from "../jobs/kinds.ts";
import type { JobQueue, JobSpec, Clock } from "../ports/index.ts";
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
export async function queueDebounced<K extends DebouncedKind>(deps: QueueDeps, kind: K, key: string, payload: JobInput<K>): Promise<void> {
  await deps.jobs.enqueue(debouncedJob(deps.clock.now(), kind, key, payload));
}

type DebouncedKind = "refresh_card" | "check_reviews" | "refresh_home";

function debouncedJob<K extends DebouncedKind>(now: number, kind: K, key: string, payload: JobInput<K>): JobSpec {
  const window = Math.floor(now / REFRESH_WINDOW_MS);
  return jobSpec(kind, payload, { runAt: (window + 1) * REFRESH_WINDOW_MS, dedupeKey: `${kind}:${key}:${window}`, lockKey: `${kind}:${key}`, maxAttempts: 20 });
}

/** Queues the card post (once, when the PR opens) or update, and the Home refreshes for `grant`. */
export async function queueGrantRefreshes(deps: QueueDeps, slack: Pick<SlackExperience, "homeUsers">, grant: Grant): Promise<void> {
  await deps.jobs.enqueueMany(await grantRefreshJobs(deps, slack, [grant]));
}

/**
 * The refresh jobs of a change to these grants (one Home-tab lookup for all of them, so a batch
 * of a hundred expiries costs one query, not two hundred): each grant's card, posted once when
 * its PR opens and updated after; the card of the grant an extension continues; the Home tabs of
 * subjects and requesters who opened it.
 */
export async function grantRefreshJobs(deps: Pick<QueueDeps, "clock">, slack: Pick<SlackExperience, "homeUsers">, grants: readonly Grant[]): Promise<JobSpec[]> {
  const now = deps.clock.now();
  const jobs: JobSpec[] = [];
  for (const grant of grants) {
    if (grant.state === "pr_open") {
      // First appearance of the card: posted once (the key never repeats), retried until done.
      jobs.push(jobSpec(JOB.refreshCard, { grantId: grant.id, post: true }, { dedupeKey: `${JOB.refreshCard}:${grant.id}:post`, lockKey: `${JOB.refreshCard}:${grant.id}`, maxAttempts: 20 }));
    } else if (grant.prNumber !== null) {
      jobs.push(debouncedJob(now, JOB.refreshCard, grant.id, { grantId: grant.id }));
    }
    // An extension going live (or ending) changes what its original's card says ("continued by").
    if (grant.extends && (grant.state === "active" || grant.state === "approved")) {
      jobs.push(debouncedJob(now, JOB.refreshCard, grant.extends, { grantId: grant.extends }));
    }
  }
  return [...jobs, ...(await homeRefreshJobs(now, slack, grants.flatMap((g) => [g.subject, g.requester])))];
}

/** Queues a Home refresh for each email whose owner has opened the Home tab. */
export async function queueHomeRefreshes(deps: QueueDeps, slack: Pick<SlackExperience, "homeUsers">, emails: readonly string[]): Promise<void> {
  await deps.jobs.enqueueMany(await homeRefreshJobs(deps.clock.now(), slack, emails));
}

async function homeRefreshJobs(now: number, slack: Pick<SlackExperience, "homeUsers">, emails: readonly string[]): Promise<JobSpec[]> {
  const unique = [...new Set(emails.map((e) => e.toLowerCase()))];
  if (unique.length === 0) return [];
  const opened = await slack.homeUsers.getMany(unique);
  return unique.filter((email) => opened.has(email)).map((email) => debouncedJob(now, JOB.refreshHome, email, { email }));
}
