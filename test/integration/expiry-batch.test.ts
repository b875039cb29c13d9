/**
 * Many grants expiring together end through one set-based path (services/grants/end-grant.ts
 * endGrants), on both back ends: each due grant ends exactly once with its credentials revoked,
 * its removal, redaction and refresh jobs queued and its audit row written; grants not due, not
 * yet active or already ended are left alone; running the batch again changes nothing; and a grant
 * the store refuses to end fails alone while the rest of its batch ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStores, storesOverPg, type Stores } from "../../src/adapters/open-stores.ts";
import { openPgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import type { Grant } from "../../src/domain/grant.ts";
import { expireHandler, type ExpireHandlerDeps } from "../../src/services/grants/end-grant.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import type { Job, Log, Metrics } from "../../src/services/ports/index.ts";
import { activeGrant, credential } from "../contract/core-stores.ts";
import { describeWithPostgres, freshDatabaseUrl } from "../support/postgres.ts";

const T = 1_800_000_000_000;
const log: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };

type Open = () => Promise<Stores>;

function expiryBatchSuite(name: string, open: Open): void {
  describe(`expiring a batch of grants together (${name})`, () => {
    let stores: Stores;
    let ended: string[];
    afterEach(async () => {
      await stores?.close();
    });

    async function setUp(grants: Grant[]): Promise<ExpireHandlerDeps> {
      stores = await open();
      ended = [];
      const metrics = { ended: (resource: string) => void ended.push(resource), expiryLag() {} } as unknown as Metrics;
      await stores.transactor.transaction(async () => {
        for (const g of grants) {
          await stores.grants.insert(g);
          if (g.state === "active") await stores.credentials.insert(credential(`jti-${g.id}`, g.id, { subject: g.subject, issuedAt: T - 60_000, expiresAt: g.expiresAt ?? T }));
        }
      });
      await stores.homeUsers.remember("Alice@Example.com", "U0ALICE0001", T - 1);
      return { ...stores, tx: stores.transactor, clock: { now: () => T }, metrics, wake: () => {} };
    }

    const due = (id: string, overrides: Partial<Grant> = {}) =>
      activeGrant(id, { expiresAt: T - 500, prNumber: Number(id.replace(/\D/g, "")) + 1, access: { target: "aws", groups: ["prod-db-readonly"], userId: `u-${id}` }, ...overrides });

    async function expiryJobs(ids: string[]): Promise<Job[]> {
      await stores.jobs.enqueueMany(ids.map((grantId) => ({ kind: JOB.expire, payload: { grantId }, runAt: T - 500, dedupeKey: `expire:${grantId}`, lockKey: `grant:${grantId}`, maxAttempts: null })));
      return stores.jobs.claim(T, 200, 60_000, [JOB.expire]);
    }

    it("ends every due grant once, with its credentials, removals, redaction, refreshes and audit row, and leaves the others", async () => {
      const dueIds = Array.from({ length: 30 }, (_, i) => `g${String(i).padStart(2, "0")}`);
      const deps = await setUp([
        ...dueIds.map((id) => due(id)),
        due("g90", { expiresAt: T + 60_000 }),
        activeGrant("g91", { state: "approved", activatedAt: null, expiresAt: null }),
        due("g92", { state: "expired", endedAt: T - 100, endReason: "expired" }),
      ]);
      const batch = expireHandler(deps).batch!;
      const jobs = await expiryJobs([...dueIds, "g90", "g91", "g92"]);
      expect(jobs).toHaveLength(33);

      expect([...(await batch.run(jobs, { log }))]).toEqual([]);
      const after = new Map((await stores.grants.getMany([...dueIds, "g90", "g91", "g92"])).map((g) => [g.id, g]));
      for (const id of dueIds) expect(after.get(id)).toMatchObject({ state: "expired", endedAt: T, endReason: "expired", updatedAt: T });
      expect(after.get("g90")!.state).toBe("active");
      expect(after.get("g91")!.state).toBe("approved");
      expect(after.get("g92")).toMatchObject({ state: "expired", endedAt: T - 100 });
      expect(ended).toHaveLength(30);

      for (const id of dueIds) expect((await stores.credentials.get(`jti-${id}`))!.revokedAt).toBe(T);
      expect((await stores.credentials.get("jti-g90"))!.revokedAt).toBeNull();
      const removals = await stores.jobs.pendingOfGrants(JOB.scimRemove, [...dueIds, "g90", "g91", "g92"]);
      expect(removals.map((j) => j.payload.grantId).sort()).toEqual(dueIds);
      expect(removals[0]!.payload).toMatchObject({ target: "aws", group: "prod-db-readonly", subject: "alice@example.com", reason: "expired" });
      expect((await stores.jobs.pendingOfGrants(JOB.redactCredential, dueIds))).toHaveLength(30);
      expect((await stores.jobs.pending(`${JOB.refreshCard}:`)).length).toBe(30);
      // One Home refresh for alice (she opened the tab), however many of her grants ended.
      expect((await stores.jobs.pending(`${JOB.refreshHome}:`)).map((j) => j.payload)).toEqual([{ email: "alice@example.com" }]);
      const audit = await stores.audit.forGrant("g07");
      expect(audit.map((r) => [r.action, r.data])).toEqual([["grant.expired", { credentialsRevoked: 1, lateByMs: 500 }]]);
      expect(await stores.audit.forGrant("g90")).toEqual([]);

      // The same jobs again (an instance that lost its lease, a retry): nothing more happens.
      const queued = (await stores.jobs.pending()).length;
      expect([...(await batch.run(jobs, { log }))]).toEqual([]);
      expect((await stores.jobs.pending()).length).toBe(queued);
      expect(await stores.audit.forGrant("g07")).toHaveLength(1);
      expect(ended).toHaveLength(30);
      expect((await stores.audit.verify()).ok).toBe(true);
    });

    it("a grant the store refuses to end fails alone: the rest of its batch ends", async () => {
      // An id that looks like a JWT: the audit log refuses to store it, so this grant's end
      // cannot commit, and with it the set-based end of the whole batch.
      const poison = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
      const ids = ["g01", "g02", poison, "g03"];
      const deps = await setUp(ids.map((id) => due(id, { prNumber: null })));
      const jobs = await expiryJobs(ids);
      const failures = await expireHandler(deps).batch!.run(jobs, { log });
      const poisonJob = jobs.find((j) => j.payload.grantId === poison)!;
      expect([...failures.keys()]).toEqual([poisonJob.id]);
      expect(String(failures.get(poisonJob.id))).toMatch(/looks like a JWT/);
      const after = new Map((await stores.grants.getMany(ids)).map((g) => [g.id, g.state]));
      expect(Object.fromEntries(after)).toEqual({ g01: "expired", g02: "expired", g03: "expired", [poison]: "active" });
      expect((await stores.credentials.get(`jti-${poison}`))!.revokedAt).toBeNull();
      expect(await stores.jobs.pendingOfGrants(JOB.scimRemove, [poison])).toEqual([]);
      expect((await stores.jobs.pendingOfGrants(JOB.scimRemove, ids)).length).toBe(3);
      expect((await stores.audit.verify()).ok).toBe(true);
    });
  });
}

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

expiryBatchSuite("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "grantbot-expiry-batch-"));
  dirs.push(dir);
  return openStores({ kind: "sqlite", dataDir: dir }, { now: () => T }, { instanceId: "test" });
});

describeWithPostgres("PostgreSQL", () => {
  expiryBatchSuite("PostgreSQL", async () => storesOverPg(await openPgStore(await freshDatabaseUrl("expiry_batch"), { now: () => T }, { instanceId: "test" })));
});
