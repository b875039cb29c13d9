/**
 * What `grantbot evidence` needs and nothing more: the database, the policy read from the grants
 * repository, the SCIM targets and the directory. Unlike `buildGrantbot` it starts no Slack app,
 * loads no signing keys (a read-only command must not create them) and takes no job leases, so
 * it runs next to a live `grantbot serve` and starts in a fraction of the time.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../config/types.ts";
import { openStores } from "../adapters/open-stores.ts";
import { databasePath } from "../adapters/sqlite/open-store.ts";
import { cliInstanceId } from "./cli-stores.ts";
import { createOctokit, githubAuthFromConfig } from "../adapters/github/octokit.ts";
import { OctokitGrantsSource } from "../adapters/github/grants-source.ts";
import { createGroupDirectories, scimTargetsFromConfig } from "../adapters/scim/group-directories.ts";
import { ScimPeopleSource } from "../adapters/scim/scim-people-source.ts";
import type { GatherEvidenceDeps } from "../services/evidence/gather-evidence.ts";
import type { Log, PeopleSource } from "../services/ports/index.ts";
import { RepoPolicyProvider } from "../services/policy/policy-provider.ts";
import { systemClock } from "../shared/clock.ts";

export interface EvidenceRuntime {
  deps: GatherEvidenceDeps;
  peopleSource: PeopleSource | null;
  close(): Promise<void>;
}

/**
 * On PostgreSQL (GRANTBOT_DATABASE_URL) the cluster's database, through a small pool; else the
 * SQLite database of the data directory. Throws when the data directory holds no database (a
 * report of nothing would mislead).
 */
export async function evidenceRuntime(config: Config, log: Log, cwd = process.cwd()): Promise<EvidenceRuntime> {
  const dataDir = resolve(cwd, config.dataDir);
  if (config.database.kind === "sqlite" && !existsSync(databasePath(dataDir))) throw new Error(`no database at ${databasePath(dataDir)} (set GRANTBOT_DATA_DIR to grantbot's data directory)`);
  const database = config.database.kind === "sqlite" ? { kind: "sqlite" as const, dataDir } : config.database;
  const store = await openStores(database, systemClock, { instanceId: cliInstanceId("evidence"), poolSize: 2 });
  const gh = config.github;
  const octokit = createOctokit({ baseUrl: gh.apiUrl, auth: githubAuthFromConfig(gh.auth) });
  const source = new OctokitGrantsSource({ octokit, owner: gh.owner, repo: gh.repo, baseBranch: gh.baseBranch });
  const policy = new RepoPolicyProvider(source, log, () => undefined, systemClock, 0);
  const targets = createGroupDirectories(scimTargetsFromConfig(config.scimTargets), { log: log.child({ component: "scim" }) });
  const peopleSource = config.directory ? ScimPeopleSource.fromConfig({ name: "directory", baseUrl: config.directory.url, token: config.directory.token.reveal(), profile: config.directory.profile }) : null;
  return {
    deps: { audit: store.audit, clock: systemClock, grants: store.grants, jobs: store.jobs, offboarding: store.offboarding, people: store.people, policy, reviews: store.reviews, targets },
    peopleSource,
    close: () => store.close(),
  };
}
