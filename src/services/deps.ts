/**
 * Everything a service may use, assembled once by main.ts (or a test).
 */
import type {
  AuditLog,
  ChangeRequests,
  Clock,
  CredentialSigner,
  CredentialStore,
  DeliveryLog,
  GrantStore,
  AccessTargets,
  JobQueue,
  Log,
  Metrics,
  Notifier,
  Transactor,
  DirectorySnapshotStore,
  OffboardingStore,
  HomeUsers,
  BreakglassStore,
  ReviewStore,
  UsageLog,
} from "./ports/index.ts";
import type { PolicyProvider } from "./policy/policy-provider.ts";
import type { Foreground } from "./jobs/foreground.ts";

export interface Settings {
  /** `owner/name` of the grants repository. */
  repository: string;
  baseBranch: string;
  publicUrl: string;
  /** Job retry backoff. */
  retry: { baseMs: number; maxMs: number };
  /** Leavers/movers/drift (issue 4); defaults apply when absent. */
  notifyBeforeExpiryMs?: number;
  staleRequestAgeMs?: number;
  offboardingPendingAfterMs?: number;
}

export interface ServiceDeps {
  clock: Clock;
  tx: Transactor;
  grants: GrantStore;
  jobs: JobQueue;
  audit: AuditLog;
  credentials: CredentialStore;
  deliveries: DeliveryLog;
  policy: PolicyProvider;
  targets: AccessTargets;
  changes: ChangeRequests;
  notifier: Notifier;
  signer: CredentialSigner;
  log: Log;
  metrics: Metrics;
  settings: Settings;
  ids: { next(): string };
  /** Tells the job runner that new work may be due (re-arms its timer). */
  wake(): void;
  /** Interactive (Slack) requests being acknowledged right now (jobs/foreground.ts). */
  foreground: Foreground;
  /** Last known directory record of each person (leavers, movers, managers). */
  people: DirectorySnapshotStore;
  /** Offboarding cases of leavers. */
  offboarding: OffboardingStore;
  /** Who has opened grantbot's Home tab (their Home is refreshed when their grants change). */
  homeUsers: HomeUsers;
  /** Break-glass grants: review deadlines and outcomes. */
  breakglass: BreakglassStore;
  /** Access reviews of standing members (issue 15). */
  reviews: ReviewStore;
  /** Use of grants (introspections), aggregated in memory and flushed periodically. */
  usage: UsageLog;
}
