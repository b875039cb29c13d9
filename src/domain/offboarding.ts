/**
 * What offboarding a leaver produced, as one value the views render (manager DM, ops summary,
 * pending notice). Pure data and small pure helpers; the services fill it in.
 */

/** How grantbot learnt that the person left. */
export type LeaverCause = "deactivated" | "deleted" | "pushed";

/** One SCIM membership a revoked grant gave, and whether its removal was read back. */
export interface ReportGroup {
  target: string;
  group: string;
  /** true = removal confirmed by reading the target (or absence confirmed). */
  verified: boolean;
  /** For verified rows: "removed", "already absent", ...; otherwise why it is not verified yet. */
  note: string;
}

export interface ReportGrant {
  grantId: string;
  resource: string;
  prUrl: string | null;
  /** Was it active (memberships given) or only approved (activation cancelled)? */
  wasActive: boolean;
  groups: ReportGroup[];
  credentialsRevoked: number;
}

export interface ReportRequest {
  grantId: string;
  resource: string;
  prNumber: number | null;
  prUrl: string | null;
}

/** A live or pending grant whose subject is a service identity the leaver owned. */
export interface ReportOrphan {
  grantId: string;
  resource: string;
  subject: string;
  state: string;
  expiresAt: number | null;
}

export interface OffboardingReport {
  caseId: string;
  person: { email: string; displayName: string | null };
  cause: LeaverCause;
  startedAt: number;
  /** The manager's email from the last directory record, or null when unknown. */
  manager: string | null;
  /** Why the manager cannot be told, when they cannot (unknown, also left, no Slack user). */
  managerProblem: string | null;
  grants: ReportGrant[];
  cancelledRequests: ReportRequest[];
  orphans: ReportOrphan[];
}

/** Every membership of every revoked grant is verified. */
export function isFullyVerified(report: OffboardingReport): boolean {
  return report.grants.every((g) => g.groups.every((r) => r.verified));
}

/** The memberships still being retried (for the pending notice). */
export function unverifiedGroups(report: OffboardingReport): (ReportGroup & { grantId: string; resource: string })[] {
  return report.grants.flatMap((g) => g.groups.filter((r) => !r.verified).map((r) => ({ ...r, grantId: g.grantId, resource: g.resource })));
}

export const CAUSE_WORDS: Record<LeaverCause, string> = {
  deactivated: "was deactivated in the directory",
  deleted: "was removed from the directory",
  pushed: "was reported as a leaver by the HR/IdP push",
};

/** What to do about a service identity whose owner left (shown to the manager and ops). */
export function orphanAdvice(orphan: ReportOrphan): string {
  return (
    `assign a new owner (request it again with \`owner\` set to someone who stays) or end it now with ` +
    `\`grantbot revoke ${orphan.grantId}\``
  );
}
