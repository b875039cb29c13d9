import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/adapters/sqlite/open-store.ts";
import type { CredentialRecord } from "../../src/services/ports/index.ts";

const clock = { now: () => 5_000 };
let dir: string;
let store: Store;

async function insertGrant(id: string): Promise<void> {
  await store.grants.insert({
    id, resource: "prod-db-readonly", subject: "alice@example.com", requester: "alice@example.com",
    requesterSlackId: null, durationMs: 60_000, reason: "r", requestedAt: 1, extends: null, state: "active",
    fileContent: "", filePath: `grants/prod-db-readonly/${id}.yaml`, branch: `grant/${id}`, prNumber: null,
    prUrl: null, headSha: null, mergeSha: null, approvedBy: ["carol-gh"], approvedAt: 1, activatedAt: 2,
    expiresAt: 60_002, endedAt: null, endReason: null, access: null, credentialMessage: null, updatedAt: 2,
  });
}

function credential(jti: string, grantId: string, overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    jti, grantId, subject: "alice@example.com", audience: "prod-db", scope: "db:read", kid: "k1",
    issuedAt: 2, expiresAt: 60_002, revokedAt: null, ...overrides,
  };
}

beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "grantbot-store-")), "data");
  store = openStore(dir, clock);
});
afterEach(async () => {
  await store.close();
  rmSync(join(dir, ".."), { recursive: true, force: true });
});

describe("openStore", () => {
  it("creates a private data directory and database file", () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "grantbot.db")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, "grantbot.db-wal"))).toBe(true);
  });

  it("commits writes of several stores together through the transactor, or none of them", async () => {
    await insertGrant("g1");
    await expect(
      store.transactor.transaction(async () => {
        await store.grants.update("g1", ["active"], { state: "revoked", endedAt: 3 });
        await store.credentials.insert(credential("j1", "g1"));
        await store.transactor.transaction(async () => store.audit.append({ at: 3, actor: "grantbot", action: "grant.revoked", grantId: "g1" }));
        await store.jobs.enqueue({ kind: "scim.remove", payload: { grantId: "g1" }, dedupeKey: "remove:g1" });
        throw new Error("crash before commit");
      }),
    ).rejects.toThrow("crash before commit");
    expect((await store.grants.get("g1"))?.state).toBe("active");
    expect(await store.credentials.get("j1")).toBeNull();
    expect((await store.audit.verify()).rows).toBe(0);
    expect(await store.jobs.pending("remove:")).toEqual([]);
  });

  it("keeps a non-durable commit when the process is killed right after it, and goes back to full sync", async () => {
    await store.close();
    const script = [
      `import { openStore } from ${JSON.stringify(new URL("../../src/adapters/sqlite/open-store.ts", import.meta.url).pathname)};`,
      `const s = openStore(${JSON.stringify(dir)}, { now: () => 7000 });`,
      `await s.transactor.transaction(() => s.jobs.enqueue({ kind: "k", payload: { n: 1 }, dedupeKey: "after-kill" }), { durable: false });`,
      `process.stdout.write(String(s.db.pragma("synchronous", { simple: true })));`,
      `process.kill(process.pid, "SIGKILL");`,
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.signal).toBe("SIGKILL");
    expect(child.stdout).toBe("2"); // FULL again after the non-durable commit
    store = openStore(dir, clock);
    expect((await store.jobs.pending()).map((j) => j.dedupeKey)).toEqual(["after-kill"]);
  });

  it("restores full sync when a non-durable transaction throws, and rolls it back", async () => {
    await expect(
      store.transactor.transaction(async () => {
        await store.jobs.enqueue({ kind: "k", payload: {}, dedupeKey: "rolled-back" });
        throw new Error("boom");
      }, { durable: false }),
    ).rejects.toThrow("boom");
    expect(store.db.pragma("synchronous", { simple: true })).toBe(2);
    expect(await store.jobs.pending()).toEqual([]);
  });

  it("reopens the same data directory with its data", async () => {
    await insertGrant("g1");
    await store.close();
    store = openStore(dir, clock);
    expect((await store.grants.get("g1"))?.approvedBy).toEqual(["carol-gh"]);
  });
});

describe("SqliteCredentialStore", () => {
  it("revokes every unrevoked credential of a grant once and reports how many", async () => {
    await insertGrant("g1");
    await insertGrant("g2");
    await store.credentials.insert(credential("j1", "g1"));
    await store.credentials.insert(credential("j2", "g1", { issuedAt: 3 }));
    await store.credentials.insert(credential("j3", "g1", { revokedAt: 1 }));
    await store.credentials.insert(credential("j4", "g2"));
    expect(await store.credentials.revokeForGrant("g1", 100)).toBe(2);
    expect(await store.credentials.revokeForGrant("g1", 200)).toBe(0);
    expect((await store.credentials.forGrant("g1")).map((c) => [c.jti, c.revokedAt])).toEqual([["j1", 100], ["j3", 1], ["j2", 100]]);
    expect((await store.credentials.get("j4"))?.revokedAt).toBeNull();
  });

  it("ignores a second insert of the same jti", async () => {
    await insertGrant("g1");
    await store.credentials.insert(credential("j1", "g1"));
    await store.credentials.insert(credential("j1", "g1", { scope: "db:write" }));
    expect((await store.credentials.get("j1"))?.scope).toBe("db:read");
    expect(await store.credentials.get("nope")).toBeNull();
  });

  it("refuses a credential for a grant that does not exist", async () => {
    await expect(store.credentials.insert(credential("j1", "ghost"))).rejects.toThrow(/FOREIGN KEY/);
  });
});

describe("SqliteDeliveryLog", () => {
  it("reports a replayed delivery as not first seen, per source", async () => {
    expect(await store.deliveries.firstSeen("github", "d-1", 10)).toBe(true);
    expect(await store.deliveries.firstSeen("github", "d-1", 11)).toBe(false);
    expect(await store.deliveries.firstSeen("directory", "d-1", 12)).toBe(true);
  });

  it("forgets deliveries older than the replay window", async () => {
    await store.deliveries.firstSeen("github", "old", 10);
    await store.deliveries.firstSeen("github", "new", 20);
    expect(await store.deliveries.prune(15)).toBe(1);
    expect(await store.deliveries.firstSeen("github", "old", 30)).toBe(true);
    expect(await store.deliveries.firstSeen("github", "new", 30)).toBe(false);
  });
});
