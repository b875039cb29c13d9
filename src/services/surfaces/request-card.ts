/**
 * The live request card. When a request's PR opens, one copy goes to the resource's channel
 * (catalog `slack_channel`, else the ops channel) and one to each approver who resolves through
 * people.yaml; every later change (review, merge, rejection, activation, expiry, release,
 * revocation) rewrites every copy, so no card ever shows a stale state. Where each copy is lives
 * in SQLite (CardStore), so a restart keeps updating the same messages.
 */
import { AppError, isAppError } from "../../domain/errors.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import { LIVE_STATES, type Grant } from "../../domain/grant.ts";
import type { CatalogResource, People, Person } from "../../domain/grant-files.ts";
import { resolvePersonByEmail, resolvePersonByGithub } from "../../domain/policy.ts";
import type { ServiceDeps } from "../deps.ts";
import type { CardMessage, CardModel, Reviewer, SlackExperience } from "../ports/slack.ts";

/** States in which the approvals recorded at merge (grant.approvedBy) are the ones to show. */
const MERGED_STATES = new Set(["approved", "active", "expired", "released", "revoked"]);

/** How long a team-membership answer is reused when choosing whom to DM. */
export const TEAM_CACHE_MS = 10 * 60_000;

function reviewer(people: People, login: string): Reviewer {
  return { login, slackId: resolvePersonByGithub(people, login)?.slack ?? null };
}

export type CardModelDeps = Pick<ServiceDeps, "clock" | "grants">;

/** Builds what the card shows now. */
export async function cardModel(deps: CardModelDeps, slack: SlackExperience, grant: Grant, people: People, resource: CatalogResource | undefined): Promise<CardModel> {
  const snapshot = await slack.cards.reviews(grant.id);
  const merged = MERGED_STATES.has(grant.state) && grant.approvedBy.length > 0;
  const approved = merged ? grant.approvedBy : (snapshot?.approvedBy ?? []);
  const changes = grant.state === "pr_open" ? (snapshot?.changesRequestedBy ?? []) : [];
  const continuedBy =
    grant.state === "requested" || grant.state === "pr_open"
      ? null
      : ((await deps.grants.listBySubject(grant.subject, LIVE_STATES)).find((g) => g.extends === grant.id) ?? null);
  return {
    grant,
    approvedBy: approved.map((l) => reviewer(people, l)),
    changesRequestedBy: changes.map((l) => reviewer(people, l)),
    required: snapshot?.required ?? resource?.approvers.min ?? 1,
    requesterSlackId: grant.requesterSlackId ?? resolvePersonByEmail(people, grant.requester)?.slack ?? null,
    subjectSlackId: resolvePersonByEmail(people, grant.subject)?.slack ?? null,
    continuedBy,
    now: deps.clock.now(),
  };
}

type TeamCacheDeps = Pick<ServiceDeps, "changes" | "clock">;

/** Remembers team-membership answers for TEAM_CACHE_MS (approver DMs would otherwise cost one call per person). */
class TeamCache {
  // The promise is cached, not only the answer: request cards posted at the same moment (a burst
  // of requests) share one lookup per person instead of each asking GitHub for everyone.
  private readonly answers = new Map<string, { member: Promise<boolean>; at: number }>();
  constructor(private readonly deps: TeamCacheDeps) {}

  async isMember(team: string, login: string): Promise<boolean> {
    const key = `${team.toLowerCase()}|${login.toLowerCase()}`;
    const now = this.deps.clock.now();
    const hit = this.answers.get(key);
    if (hit && now - hit.at < TEAM_CACHE_MS) return hit.member;
    const member = this.deps.changes.isTeamMember(team, login);
    this.answers.set(key, { member, at: now });
    member.catch(() => this.answers.delete(key));
    return member;
  }
}

/** People of people.yaml who may approve this grant: listed users and team members, never the subject or requester. */
async function approvers(teams: TeamCache, resource: CatalogResource, people: People, grant: Grant): Promise<Person[]> {
  const users = new Set(resource.approvers.users.map((u) => u.toLowerCase()));
  const out: Person[] = [];
  for (const person of people.people) {
    if (person.email === grant.subject || person.email === grant.requester) continue;
    if (users.has(person.github.toLowerCase())) {
      out.push(person);
      continue;
    }
    for (const team of resource.approvers.teams) {
      if (await teams.isMember(team, person.github)) {
        out.push(person);
        break;
      }
    }
  }
  return out;
}

interface Destination {
  channel: string;
  audience: CardMessage["audience"];
  recipient: string | null;
}

function destinationKey(d: Destination): string {
  return d.audience === "approver" ? `approver:${d.recipient ?? ""}` : `channel:${d.channel}`;
}

export type RefreshCardHandlerDeps = Pick<ServiceDeps, "changes" | "clock" | "grants" | "notifier" | "policy">;

export function refreshCardHandler(deps: RefreshCardHandlerDeps, slack: SlackExperience): KindHandler<"refresh_card"> {
  const teams = new TeamCache(deps);

  async function destinations(grant: Grant, resource: CatalogResource | undefined, people: People): Promise<Destination[]> {
    const out: Destination[] = [];
    const channel = resource?.slack_channel ?? slack.opsChannel;
    if (channel) out.push({ channel, audience: "channel", recipient: null });
    // Approvers are asked only while there is something to review.
    if (resource && grant.state === "pr_open") {
      for (const person of await approvers(teams, resource, people, grant)) {
        const userId = person.slack ?? (await slack.surfaces.userIdFor(person.email));
        if (userId) out.push({ channel: userId, audience: "approver", recipient: person.email });
      }
    }
    return out;
  }

  return {
    maxAttempts: 20,
    async onDead(payload, error) {
      await deps.notifier.ops({
        kind: "ops_alert",
        title: "A request card could not be posted or updated",
        detail: `grant ${payload.grantId}: ${error}. If the channel is private or grantbot is not in it, invite @grantbot to the channel.`,
        grantId: payload.grantId,
      });
    },
    async run(payload, { log }) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant || grant.prNumber === null) return;
      const { catalog, people } = await deps.policy.current();
      const resource = catalog.resources[grant.resource];
      const model = await cardModel(deps, slack, grant, people, resource);
      const posted = await slack.cards.messages(grant.id);
      // A copy Slack refuses for good (deleted message, archived channel) must not hold up the others.
      const refused: string[] = [];
      const attempt = async (where: string, fn: () => Promise<void>): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          if (!isAppError(err) || err.retryable) throw err;
          log.warn({ grantId: grant.id, channel: where, err: err.message }, "request card refused by Slack");
          refused.push(`${where}: ${err.message}`);
        }
      };
      for (const message of posted) await attempt(message.channel, () => slack.surfaces.updateCard(message, model));
      if (payload.post === true) {
        // Each destination once; a retry after a partial failure skips those already done.
        const done = new Set(posted.map(destinationKey));
        for (const dest of await destinations(grant, resource, people)) {
          if (done.has(destinationKey(dest))) continue;
          await attempt(dest.channel, async () => {
            const ref = await slack.surfaces.postCard(dest.channel, model);
            await slack.cards.addMessage(grant.id, { ...ref, audience: dest.audience, recipient: dest.recipient }, deps.clock.now());
          });
        }
      }
      if (refused.length > 0) throw new AppError("target_rejected", refused.join("; "), { retryable: false });
    },
  };
}
