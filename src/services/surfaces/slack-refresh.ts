/**
 * Every state change of a grant refreshes what Slack shows about it — its request card, and the
 * Home tab of its subject and requester when they have opened it — through durable jobs queued in
 * the same transaction as the change (so a crash can lose neither).
 *
 * The hook is a GrantStore decorator rather than a call in each service: a transition added later
 * (a leaver's request closed, a new end reason) refreshes Slack without anyone remembering to.
 */
import type { Grant, GrantState } from "../../domain/grant.ts";
import { enqueue } from "../jobs/enqueue.ts";
import type { ServiceDeps } from "../deps.ts";
import { JOB, type JobInput } from "../jobs/kinds.ts";
import type { GrantStore, JobQueue, Clock, Transactor } from "../ports/index.ts";
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
export function queueDebounced<K extends "refresh_card" | "check_reviews" | "refresh_home">(deps: QueueDeps, kind: K, key: string, payload: JobInput<K>): void {
  const window = Math.floor(deps.clock.now() / REFRESH_WINDOW_MS);
  enqueue(deps.jobs, kind, payload, { runAt: (window + 1) * REFRESH_WINDOW_MS, dedupeKey: `${kind}:${key}:${window}`, lockKey: `${kind}:${key}`, maxAttempts: 20 });
}

/** Queues the card post (once, when the PR opens) or update, and the Home refreshes for `grant`. */
export function queueGrantRefreshes(deps: QueueDeps, slack: Pick<SlackExperience, "homeUsers">, grant: Grant): void {
  if (grant.state === "pr_open") {
    // First appearance of the card: posted once (the key never repeats), retried until done.
    enqueue(deps.jobs, JOB.refreshCard, { grantId: grant.id, post: true }, { dedupeKey: `${JOB.refreshCard}:${grant.id}:post`, lockKey: `${JOB.refreshCard}:${grant.id}`, maxAttempts: 20 });
  } else if (grant.prNumber !== null) {
    queueDebounced(deps, JOB.refreshCard, grant.id, { grantId: grant.id });
  }
  // An extension going live (or ending) changes what its original's card says ("continued by").
  if (grant.extends && (grant.state === "active" || grant.state === "approved")) {
    queueDebounced(deps, JOB.refreshCard, grant.extends, { grantId: grant.extends });
  }
  queueHomeRefreshes(deps, slack, [grant.subject, grant.requester]);
}

/** Queues a Home refresh for each email whose owner has opened the Home tab. */
export function queueHomeRefreshes(deps: QueueDeps, slack: Pick<SlackExperience, "homeUsers">, emails: readonly string[]): void {
  for (const email of new Set(emails.map((e) => e.toLowerCase()))) {
    if (slack.homeUsers.get(email) !== null) queueDebounced(deps, JOB.refreshHome, email, { email });
  }
}

/**
 * Wraps a GrantStore: an insert, or an update that changes `state`, calls `changed` with the grant
 * as stored, inside the same transaction, then `wake`. Every other method (including ones added to
 * the port later) goes straight to `inner`.
 */
export function withStateChangeHook<T extends GrantStore>(inner: T, tx: Transactor, changed: (grant: Grant) => void, wake: () => void = () => {}): T {
  const insert = (grant: Grant): void => {
    tx.transaction(() => {
      inner.insert(grant);
      changed(grant);
    });
    wake();
  };
  const update = (id: string, fromStates: readonly GrantState[], patch: Partial<Omit<Grant, "id">>): boolean => {
    if (patch.state === undefined) return inner.update(id, fromStates, patch);
    const updated = tx.transaction(() => {
      const ok = inner.update(id, fromStates, patch);
      const grant = ok ? inner.get(id) : null;
      if (grant) changed(grant);
      return ok;
    });
    if (updated) wake();
    return updated;
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "insert") return insert;
      if (prop === "update") return update;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The hook wired to the refresh jobs (main.ts). `deps` is read lazily: it contains the store. */
export function refreshingGrants<T extends GrantStore>(inner: T, tx: Transactor, deps: () => ServiceDeps, slack: Pick<SlackExperience, "homeUsers">): T {
  return withStateChangeHook(inner, tx, (grant) => queueGrantRefreshes(deps(), slack, grant), () => deps().wake());
}
