/**
 * What one instance needs to run beside others on one PostgreSQL database:
 * - leadership: the duties that must run once per cluster (directory and GitHub polls,
 *   reconcile, stale requests, reviews, housekeeping, key rotation) run where the session advisory
 *   lock is held; another instance takes it at its next tick when the leader dies;
 * - job wake-ups: every enqueue NOTIFYs its due time, so the instance that will claim it arms its
 *   timer for that second even when another instance queued it;
 * - the signing keys, shared and encrypted at rest (pg-key-store.ts), re-read periodically so a
 *   rotation by one instance reaches every JWKS.
 */
import type { Clock, Log } from "../../services/ports/index.ts";
import { keyEncryptionKeyBytes, type DatabaseConfig } from "../../config/index.ts";
import { JoseCredentialSigner } from "../credentials/jose-credential-signer.ts";
import type { PgStore } from "./open-pg-store.ts";
import { PgJobListener } from "./pg-job-listener.ts";
import { PgKeyStore } from "./pg-key-store.ts";
import { PgLeadership } from "./pg-leadership.ts";

/** How often leadership is checked (and taken over when free): what "within one tick" means. */
export const LEADERSHIP_TICK_MS = 2_000;
/** How often every instance re-reads the signing keys (an unknown kid re-reads at once). */
export const KEY_REFRESH_MS = 30_000;
/** Job leases on a shared queue: a dead instance's jobs are claimed again this long after its last renewal. */
export const CLUSTER_LEASE_MS = 3_000;
/**
 * Batches of one kind and key an instance runs at once on PostgreSQL (expiries, removals per
 * group): a batch spends its time waiting on round trips, so several overlap (measured with 1,000
 * expiries in one second, `npm run bench -- --store postgres`).
 */
export const PG_PARALLEL_BATCHES = 4;

export interface Wakeable {
  wake(): void;
  wakeAt(at: number): void;
}

export interface Cluster {
  readonly instanceId: string;
  readonly signer: JoseCredentialSigner;
  readonly keyStore: PgKeyStore;
  readonly leadership: PgLeadership;
  /** True while this instance holds the leadership lock. */
  isLeader(): boolean;
  /** Whether the job wake-up connection is listening. */
  listening(): boolean;
  /** Starts the job wake-ups for `runner`. */
  listen(runner: Wakeable): void;
  /** Leadership check (every LEADERSHIP_TICK_MS) and, every KEY_REFRESH_MS, a key re-read. */
  tick(): Promise<boolean>;
  /** Leader duty: rotates the signing keys when due (once for the cluster), then re-reads them. */
  rotateKeys(): Promise<void>;
  /** Releases the leadership and closes the dedicated connections. Idempotent. */
  close(): Promise<void>;
}

export interface OpenClusterInput {
  store: PgStore;
  database: Extract<DatabaseConfig, { kind: "postgres" }>;
  instanceId: string;
  clock: Clock;
  log: Log;
  publicUrl: string;
}

export async function openCluster(input: OpenClusterInput): Promise<Cluster> {
  const { store, database, instanceId, clock, log } = input;
  const url = database.url.reveal();
  const keyStore = new PgKeyStore({ db: store.db, keyEncryptionKey: keyEncryptionKeyBytes(database.keyEncryptionKey) });
  const keys = await keyStore.loadOrCreate(clock.now());
  log.info({ kid: keys.current.kid, event: keys.event, instanceId }, "signing keys ready (shared by the cluster)");
  const signer = new JoseCredentialSigner({ keys, issuer: input.publicUrl, clock, source: keyStore });
  const applicationName = `grantbot:${instanceId}`.slice(0, 63);
  const leadership = new PgLeadership({ url, applicationName });
  leadership.onChange((leader) => log.info({ instanceId, leader }, leader ? "this instance now runs the cluster duties" : "this instance no longer runs the cluster duties"));
  await leadership.tick();
  let listener: PgJobListener | null = null;
  let refreshedAt = clock.now();
  let closed = false;
  return {
    instanceId,
    signer,
    keyStore,
    leadership,
    isLeader: () => leadership.isLeader,
    listening: () => listener?.listening ?? false,
    listen(runner) {
      if (listener || closed) return;
      listener = new PgJobListener({
        url,
        applicationName,
        onJob: (runAt) => runner.wakeAt(runAt),
        onReconnect: () => runner.wake(),
        onError: (error) => log.warn({ err: error.message }, "job wake-up connection lost; reconnecting"),
      });
      void listener.start();
    },
    async tick() {
      const leader = await leadership.tick();
      if (clock.now() - refreshedAt >= KEY_REFRESH_MS) {
        refreshedAt = clock.now();
        await signer.refresh().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "re-reading the signing keys failed; keeping the ones loaded"));
      }
      return leader;
    },
    async rotateKeys() {
      const loaded = await keyStore.loadOrCreate(clock.now());
      if (loaded.event !== "loaded") log.info({ kid: loaded.current.kid, event: loaded.event }, "signing keys rotated for the cluster");
      await signer.refresh();
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([listener?.close(), leadership.close()]);
    },
  };
}
