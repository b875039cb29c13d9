/**
 * Slack user <-> email, with a short cache: users.info for requesters (needs users:read.email),
 * people.yaml's `slack` ids first and users.lookupByEmail otherwise for recipients.
 */
import type { WebClient } from "@slack/web-api";
import type { PolicyProvider } from "../../services/policy/policy-provider.ts";
import type { Clock } from "../../services/ports/index.ts";
import { wrap } from "./slack-errors.ts";

const TTL_MS = 10 * 60_000;

export class SlackIdentities {
  private readonly emails = new Map<string, { value: string | null; at: number }>();
  private readonly ids = new Map<string, { value: string | null; at: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly policy: PolicyProvider,
    private readonly clock: Clock,
  ) {}

  async emailOf(userId: string): Promise<string | null> {
    const hit = this.emails.get(userId);
    if (hit && this.clock.now() - hit.at < TTL_MS) return hit.value;
    const res = await wrap("users.info", () => this.client.users.info({ user: userId }));
    const user = res.user as { deleted?: boolean; is_bot?: boolean; profile?: { email?: string } } | undefined;
    const email = user && !user.deleted && !user.is_bot ? (user.profile?.email?.toLowerCase() ?? null) : null;
    this.emails.set(userId, { value: email, at: this.clock.now() });
    return email;
  }

  async userIdFor(email: string): Promise<string | null> {
    const key = email.toLowerCase();
    try {
      const { people } = await this.policy.current();
      const person = people.people.find((p) => p.email === key);
      if (person?.slack) return person.slack;
    } catch {
      // fall through to Slack
    }
    const hit = this.ids.get(key);
    if (hit && this.clock.now() - hit.at < TTL_MS) return hit.value;
    let id: string | null = null;
    try {
      const res = await wrap("users.lookupByEmail", () => this.client.users.lookupByEmail({ email: key }));
      id = (res.user as { id?: string } | undefined)?.id ?? null;
    } catch (err) {
      if ((err as { message?: string }).message?.includes("users_not_found")) id = null;
      else throw err;
    }
    this.ids.set(key, { value: id, at: this.clock.now() });
    return id;
  }
}
