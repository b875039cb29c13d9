/**
 * Every durable store grantbot keeps, on the back end the configuration names: the embedded
 * SQLite database of GRANTBOT_DATA_DIR (one process) or PostgreSQL (GRANTBOT_DATABASE_URL, any
 * number of instances). The services see the same ports either way.
 */
import { resolve } from "node:path";
import type { DatabaseConfig } from "../config/index.ts";
import type {
  AuditLog,
  BreakglassStore,
  CardStore,
  Clock,
  CredentialStore,
  DeliveryLog,
  DirectorySnapshotStore,
  GrantStore,
  HomeUsers,
  JobQueue,
  OffboardingStore,
  ReviewStore,
  Transactor,
  UsageLog,
} from "../services/ports/index.ts";
import { openPgStore, type PgStore } from "./postgres/open-pg-store.ts";
import { openStore, type Store } from "./sqlite/open-store.ts";

export interface Stores {
  kind: "sqlite" | "postgres";
  transactor: Transactor;
  grants: GrantStore;
  jobs: JobQueue;
  audit: AuditLog;
  deliveries: DeliveryLog;
  credentials: CredentialStore;
  people: DirectorySnapshotStore;
  offboarding: OffboardingStore;
  cards: CardStore;
  homeUsers: HomeUsers;
  breakglass: BreakglassStore;
  reviews: ReviewStore;
  usage: UsageLog;
  /** The SQLite store (null on PostgreSQL). */
  sqlite: Store | null;
  /** The PostgreSQL store (null on SQLite). */
  pg: PgStore | null;
  /** False once closed (or, on SQLite, once the connection went away). */
  isOpen(): boolean;
  /** Flushes recorded uses and closes. Idempotent. */
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  /** This process among the instances (PostgreSQL job leases, pg_stat_activity). */
  instanceId: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Opens (and migrates) the configured back end. */
export async function openStores(database: DatabaseConfig, clock: Clock, options: OpenStoresOptions): Promise<Stores> {
  if (database.kind === "sqlite") {
    const store = openStore(resolve(database.dataDir), clock);
    return { ...portsOf(store), kind: "sqlite", sqlite: store, pg: null, isOpen: () => store.db.open, close: () => store.close() };
  }
  const pg = await openPgStore(database.url.reveal(), clock, {
    instanceId: options.instanceId,
    applicationName: `grantbot:${options.instanceId}`.slice(0, 63),
    ...(options.poolSize === undefined ? {} : { max: options.poolSize }),
  });
  return storesOverPg(pg);
}

/** The ports of an opened PostgreSQL store as `Stores` (closing them closes its pool). */
export function storesOverPg(pg: PgStore): Stores {
  let open = true;
  return {
    ...portsOf(pg),
    kind: "postgres",
    sqlite: null,
    pg,
    isOpen: () => open,
    close: async () => {
      open = false;
      await pg.close();
    },
  };
}

type PortFields = Omit<Stores, "kind" | "sqlite" | "pg" | "isOpen" | "close">;

function portsOf(s: PortFields): PortFields {
  const { transactor, grants, jobs, audit, deliveries, credentials, people, offboarding, cards, homeUsers, breakglass, reviews, usage } = s;
  return { transactor, grants, jobs, audit, deliveries, credentials, people, offboarding, cards, homeUsers, breakglass, reviews, usage };
}
