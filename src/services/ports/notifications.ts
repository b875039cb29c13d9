/**
 * What grantbot tells people (DMs, ops channel) and where it posted it.
 */
import type { Grant } from "../../domain/grant.ts";
import type { OffboardingReport } from "../../domain/offboarding.ts";
import type { BreakglassAudience, BreakglassEvent } from "../../domain/breakglass.ts";
import type { BreakglassRecord } from "./breakglass.ts";

export interface MessageRef {
  channel: string;
  ts: string;
}

/** A message: plain-text fallback plus optional Block Kit blocks (built by pure views). */
export interface OutboundMessage {
  text: string;
  blocks?: unknown[];
}

/** Who a notification is for: an email, and the Slack id when already known. */
export interface Recipient {
  email: string;
  slackId?: string | null;
}

/**
 * What happened, in grantbot's words; the Slack adapter renders each kind with pure views.
 * `grant` is a snapshot taken when the note was created.
 */
export type Note =
  | { kind: "request_opened"; grant: Grant }
  | { kind: "request_failed"; grant: Grant; message: string }
  | { kind: "active"; grant: Grant; token: string | null; audience: string | null }
  | { kind: "declined"; grant: Grant }
  | { kind: "rejected"; grant: Grant; message: string }
  /** `continuedBy`: a live grant of the same subject and resource (an extension) that keeps the access. */
  | { kind: "ended"; grant: Grant; reason: string; continuedBy?: Grant | null }
  /** The approvals so far of a pending request changed (a review was submitted). */
  | { kind: "review"; grant: Grant; approvedBy: string[]; changesRequestedBy: string[]; required: number }
  | { kind: "ops_alert"; title: string; detail: string; grantId?: string }
  /** Leaver offboarding: the confirmation (`final`) or the interim `pending` notice. */
  | { kind: "offboarding"; phase: "final" | "pending"; audience: "manager" | "ops"; report: OffboardingReport }
  /** The grant expires in `notifyBeforeExpiry`: how long is left and how to extend. */
  | { kind: "expiry_reminder"; grant: Grant }
  /** Access review of a resource's standing members: opened, reminder, overdue (its approvers by DM, the resource channel). */
  | { kind: "access_review"; event: "opened" | "reminder" | "overdue"; resource: string; prUrl: string | null; members: string[]; deadline: string | null; onMissed: "revoke" | "keep" }
  /** Your standing access was removed: deleted in an access review, or its review deadline passed. */
  | { kind: "standing_removed"; resource: string; cause: "review" | "missed"; prUrl: string | null }
  /** A request PR left unreviewed too long was closed. */
  | { kind: "request_stale"; grant: Grant; ageMs: number }
  /** A break-glass grant: active, review overdue, PR closed or merged unreviewed, reviewed late. */
  | { kind: "breakglass"; event: BreakglassEvent; audience: BreakglassAudience; grant: Grant; record: BreakglassRecord };

export interface Notifier {
  /** Sends a DM. Returns where it was posted, or null when the recipient has no Slack user. */
  send(to: Recipient, note: Note): Promise<MessageRef | null>;
  /** Replaces a credential DM with a text that no longer contains the token. */
  redactCredential(ref: MessageRef, grant: Grant): Promise<void>;
  /** Replaces a message grantbot posted (with `send`) by this note. Idempotent. */
  replace(ref: MessageRef, note: Note): Promise<void>;
  /** Posts to the ops channel (no-op when none is configured). */
  ops(note: Note): Promise<void>;
  /** Posts to one Slack channel (a catalog `breakglass.channels` entry). Throws when Slack refuses. */
  toChannel(channel: string, note: Note): Promise<MessageRef>;
}
