/**
 * Ports of the Slack experience (issue 5): live request cards, approval snapshots and the App
 * Home tab. Kept apart from ports.ts (already long) but owned the same way: the services in
 * request-card.ts, review-check.ts and home-tab.ts declare what they call; the SQLite and Slack
 * adapters implement it. Times are epoch milliseconds.
 */
import type { Grant } from "../../domain/grant.ts";
import type { MessageRef } from "./notifications.ts";

/** The approvals of a pending request as last read from GitHub (or, once merged, as verified). */
export interface ReviewSnapshot {
  /** GitHub logins whose approval counts, in the order they counted. */
  approvedBy: string[];
  /** Logins whose latest decisive review asks for changes. */
  changesRequestedBy: string[];
  /** Approvals the resource needs (catalog `approvers.min`). */
  required: number;
  checkedAt: number;
}

/** One posted copy of a request card: in a channel, or in an approver's DM. */
export interface CardMessage extends MessageRef {
  audience: "channel" | "approver";
  /** The approver's email for `approver` copies; null for the channel copy. */
  recipient: string | null;
}

/** Where each grant's card copies are, and its approvals so far (SQLite). */
export interface CardStore {
  /** Every posted copy of the grant's card, oldest first. */
  messages(grantId: string): Promise<CardMessage[]>;
  /** Records a posted copy. Idempotent per (grant, channel): a second call changes nothing. */
  addMessage(grantId: string, message: CardMessage, at: number): Promise<void>;
  /** The last snapshot saved for the grant, or null. */
  reviews(grantId: string): Promise<ReviewSnapshot | null>;
  /** Replaces the grant's snapshot. */
  saveReviews(grantId: string, snapshot: ReviewSnapshot): Promise<void>;
}

/** People who opened grantbot's Home tab: only their tab is kept fresh on state changes. */
export interface HomeUsers {
  /** The Slack user id of the person with this email who opened the Home tab, or null. */
  get(email: string): Promise<string | null>;
  /** `get` for many emails at once: lower-cased email -> Slack user id, for those who opened the tab. */
  getMany(emails: readonly string[]): Promise<Map<string, string>>;
  /** Records (or refreshes) that `userId` (email `email`) opened the tab. Idempotent. */
  remember(email: string, userId: string, at: number): Promise<void>;
}

/** A GitHub login and, when people.yaml knows it, the person's Slack id (for a mention). */
export interface Reviewer {
  login: string;
  slackId: string | null;
}

/** What a request card shows; rendered by the Slack adapter's pure views. */
export interface CardModel {
  grant: Grant;
  approvedBy: Reviewer[];
  changesRequestedBy: Reviewer[];
  required: number;
  requesterSlackId: string | null;
  subjectSlackId: string | null;
  /** The live grant that continues this one (an activated extension), if any. */
  continuedBy: Grant | null;
  now: number;
}

export interface PendingRequest {
  grant: Grant;
  approvedBy: string[];
  required: number;
}

/** What one person's Home tab (and `/access list`) shows. */
export interface HomeModel {
  email: string;
  now: number;
  /** Approved or active grants, soonest expiry first. */
  live: Grant[];
  pending: PendingRequest[];
  /** The most recently ended grants and requests, newest first. */
  recent: Grant[];
  /** Use of the live and recent grants, by grant id (issue 15); absent = not known. */
  usage?: Readonly<Record<string, GrantUseView>>;
}

/** One grant's use as grantbot saw it: introspections of its credential (no credential: not tracked). */
export interface GrantUseView {
  hasCredential: boolean;
  uses: number;
  firstUse: number | null;
  lastUse: number | null;
}

/** Slack surfaces other than DMs (those are the Notifier's). Methods throw AppError (`target_unavailable` retryable) like the Notifier. */
export interface SlackSurfaces {
  /** The Slack user id of an email (people.yaml first, then Slack), or null when none. */
  userIdFor(email: string): Promise<string | null>;
  /** Replaces the user's Home tab (views.publish). Idempotent. */
  publishHome(userId: string, home: HomeModel): Promise<void>;
  /** Posts a card to a channel id or, given a user id, to that user's DM with grantbot. */
  postCard(channel: string, card: CardModel): Promise<MessageRef>;
  /** Rewrites a posted card (chat.update). Idempotent. */
  updateCard(ref: MessageRef, card: CardModel): Promise<void>;
}

/** What the Slack-experience services need besides ServiceDeps (assembled by main.ts). */
export interface SlackExperience {
  cards: CardStore;
  homeUsers: HomeUsers;
  surfaces: SlackSurfaces;
  /** Channel for cards of resources without `slack_channel` (SLACK_OPS_CHANNEL); null = none. */
  opsChannel: string | null;
}
