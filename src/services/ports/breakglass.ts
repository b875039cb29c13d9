/**
 * What grantbot remembers about each break-glass grant beyond the grant itself: its review rules
 * (snapshot from the catalog at request time), its review deadline and the review's outcome.
 * Times are epoch milliseconds. Synchronous, like the grant store: every call inside
 * `Transactor.transaction` commits with it.
 */
import type { BreakglassStatus } from "../../domain/breakglass.ts";

export interface BreakglassRecord {
  grantId: string;
  resource: string;
  /** Lower-cased email of who has the access (the requester: break-glass is for oneself). */
  subject: string;
  /** `breakglass.review_within` when the grant was requested. */
  reviewWithinMs: number;
  /** `breakglass.channels` when the grant was requested. */
  channels: string[];
  createdAt: number;
  /** Set once, at activation: the review deadline is `activatedAt + reviewWithinMs`. */
  activatedAt: number | null;
  reviewDeadline: number | null;
  /** When the activation was announced (alerts, audit): once both the access and the PR exist. */
  announcedAt: number | null;
  status: BreakglassStatus;
  /** When the review outcome was recorded. */
  reviewedAt: number | null;
  /** GitHub logins whose approvals counted. */
  approvers: string[];
  /** How many overdue escalations went out. */
  escalations: number;
}

export interface BreakglassStore {
  /** Inserts the record of a new break-glass grant (status pending). Throws if it exists. */
  insert(record: Omit<BreakglassRecord, "activatedAt" | "reviewDeadline" | "announcedAt" | "status" | "reviewedAt" | "approvers" | "escalations">): Promise<void>;
  get(grantId: string): Promise<BreakglassRecord | null>;
  /** Sets activatedAt and reviewDeadline once; false when already set. */
  markActivated(grantId: string, activatedAt: number, reviewDeadline: number): Promise<boolean>;
  /** Sets announcedAt once; false when already announced. */
  markAnnounced(grantId: string, at: number): Promise<boolean>;
  /** Records a review outcome while the status is one of `from`; false otherwise. */
  setStatus(grantId: string, from: readonly BreakglassStatus[], patch: { status: BreakglassStatus; reviewedAt: number; approvers?: string[] }): Promise<boolean>;
  /** Counts escalation `n` (0-based) once: only while `escalations` is `n`; false otherwise. */
  recordEscalation(grantId: string, n: number): Promise<boolean>;
  /** This person's records on this resource whose review is owed and whose deadline is at or before `at`. */
  overdue(subject: string, resource: string, at: number): Promise<BreakglassRecord[]>;
  /** Records still `pending` (waiting for their PR's outcome), oldest first. */
  pending(limit: number): Promise<BreakglassRecord[]>;
}
