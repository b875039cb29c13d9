/**
 * The directory poll's test set-up: a scimmy SCIM server as the directory, the SQLite store, a job
 * runner with the real handlers, a recording notifier. Shared by the directory-sync tests.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScimPeopleSource } from "../../src/adapters/scim/scim-people-source.ts";
import { ScimGroupDirectory } from "../../src/adapters/scim/index.ts";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import { createGroupDirectories } from "../../src/adapters/scim/group-directories.ts";
import type { ServiceDeps } from "../../src/services/deps.ts";
import { JobRunner } from "../../src/services/jobs/runner.ts";
import { jobHandlers } from "../../src/services/jobs/handlers.ts";
import { Foreground } from "../../src/services/jobs/foreground.ts";
import { parsePolicy, StaticPolicyProvider } from "../../src/services/policy/policy-provider.ts";
import type { Log } from "../../src/services/ports/index.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { systemClock, systemTimers } from "../../src/shared/clock.ts";
import { RecordingNotifier } from "../fakes/recording-notifier.ts";
import { ScimTestServer, type ServerProfile } from "../fakes/scim-server/index.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

let seq = 0;
/** `cleanups` gets what closes it all (run it in afterEach). */
export async function setUpDirectorySync(cleanups: (() => Promise<void> | void)[], profile: ServerProfile = "generic", pageSize = 3, log: Log = createLogger({ level: "silent" })) {
  const server = await ScimTestServer.start({ profile, pageSize });
  const dir = mkdtempSync(join(tmpdir(), "grantbot-dirsync-"));
  const store: Store = openStore(dir, systemClock);
  const notifier = new RecordingNotifier();
  const policy = new StaticPolicyProvider(parsePolicy(readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8"), readFileSync(join(ROOT, "grants/people.yaml"), "utf8")));
  let runner: JobRunner | null = null;
  const deps = {
    clock: systemClock, tx: store.transactor, grants: store.grants, jobs: store.jobs, audit: store.audit, credentials: store.credentials, deliveries: store.deliveries,
    policy, targets: createGroupDirectories([]), changes: {} as ServiceDeps["changes"], notifier, signer: {} as ServiceDeps["signer"],
    log, metrics: { requestFiled() {}, activated() {}, ended() {}, expiryLag() {}, jobFailed() {} },
    settings: { repository: "acme/grants", baseBranch: "main", publicUrl: "http://grantbot.test", retry: { baseMs: 50, maxMs: 200 }, offboardingPendingAfterMs: 60_000 },
    ids: { next: () => `01TESTCASE${String(++seq).padStart(16, "0")}` },
    wake: () => runner?.wake(),
    people: store.people,
    offboarding: store.offboarding,
    homeUsers: store.homeUsers,
    breakglass: store.breakglass,
    reviews: store.reviews,
    usage: store.usage,
    foreground: new Foreground(),
  } satisfies ServiceDeps;
  runner = new JobRunner({ jobs: store.jobs, clock: systemClock, timers: systemTimers, log: deps.log, metrics: deps.metrics }, jobHandlers(deps, null), { concurrency: 4, leaseMs: 60_000, retry: deps.settings.retry });
  runner.start();
  cleanups.push(async () => {
    await runner?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  });
  const source = new ScimPeopleSource(new ScimGroupDirectory({ name: "directory", baseUrl: server.url, token: server.token, profile }));
  return { server, store, deps, notifier, runner, source };
}
