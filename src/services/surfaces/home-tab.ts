/**
 * One person's grants as the App Home tab and `/access list` show them: live grants (soonest
 * expiry first), pending requests with their approvals so far, and the last few that ended, with
 * the use grantbot saw of each (introspections of its credential).
 * Published when the person opens the tab and again after every state change of their grants
 * (refresh_home jobs, see slack-refresh.ts).
 */
import { GRANT_STATES, LIVE_STATES, PENDING_STATES, TERMINAL_STATES, type Grant } from "../../domain/grant.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { ServiceDeps } from "../deps.ts";
import type { GrantUseView, HomeModel, SlackExperience } from "../ports/slack.ts";
import { usageOfGrants } from "../usage/grant-usage.ts";

/** How many ended grants the Home tab lists. */
export const RECENT_GRANTS = 5;

export type BuildHomeDeps = Pick<ServiceDeps, "clock" | "credentials" | "grants" | "policy" | "usage">;

/** The grants of `email` (as subject) as the Home tab shows them now. */
export async function buildHome(deps: BuildHomeDeps, slack: Pick<SlackExperience, "cards">, email: string): Promise<HomeModel> {
  const subject = email.trim().toLowerCase();
  const mine = await deps.grants.listBySubject(subject, GRANT_STATES);
  let required: (resource: string) => number = () => 1;
  try {
    const { catalog } = await deps.policy.current();
    required = (resource) => catalog.resources[resource]?.approvers.min ?? 1;
  } catch {
    // GitHub unreachable and no catalog loaded yet: show "1 required" rather than nothing.
  }
  const live = mine.filter((g) => LIVE_STATES.includes(g.state)).sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity));
  const pending = await Promise.all(
    mine
      .filter((g) => PENDING_STATES.includes(g.state))
      .map(async (grant) => {
        const snapshot = await slack.cards.reviews(grant.id);
        return { grant, approvedBy: snapshot?.approvedBy ?? [], required: snapshot?.required ?? required(grant.resource) };
      }),
  );
  const endedAt = (g: Grant) => g.endedAt ?? g.updatedAt;
  const recent = mine
    .filter((g) => TERMINAL_STATES.includes(g.state))
    .sort((a, b) => endedAt(b) - endedAt(a))
    .slice(0, RECENT_GRANTS);
  const usage: Record<string, GrantUseView> = {};
  for (const [id, u] of await usageOfGrants(deps, [...live, ...recent])) {
    usage[id] = { hasCredential: u.hasCredential, uses: u.usage?.uses ?? 0, firstUse: u.usage?.firstUse ?? null, lastUse: u.usage?.lastUse ?? null };
  }
  return { email: subject, now: deps.clock.now(), live, pending, recent, usage };
}

export type OpenHomeDeps = Pick<ServiceDeps, "clock" | "credentials" | "grants" | "policy" | "usage">;

/** The person opened the Home tab: remember them (future changes refresh it) and publish it now. */
export async function openHome(deps: OpenHomeDeps, slack: SlackExperience, userId: string, email: string): Promise<HomeModel> {
  await slack.homeUsers.remember(email.toLowerCase(), userId, deps.clock.now());
  const home = await buildHome(deps, slack, email);
  await slack.surfaces.publishHome(userId, home);
  return home;
}

export type RefreshHomeHandlerDeps = Pick<ServiceDeps, "clock" | "credentials" | "grants" | "policy" | "usage">;

/** Job: re-publish one person's Home tab (queued, de-duplicated, on each state change of their grants). */
export function refreshHomeHandler(deps: RefreshHomeHandlerDeps, slack: SlackExperience): KindHandler<"refresh_home"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const email = payload.email;
      const userId = await slack.homeUsers.get(email);
      if (!userId) return;
      await slack.surfaces.publishHome(userId, await buildHome(deps, slack, email));
    },
  };
}
