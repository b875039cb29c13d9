/**
 * Puts grantbot's database in the state 1,000 activations leave behind, without running 1,000
 * PR reviews: for each person an `active` grant of one resource whose SCIM membership exists in
 * the target, a credential record, a credential DM in Slack, and the expiry job queued for
 * `expiresAt` exactly as activate-grant.ts queues it. Written with the product's own stores (SQLite
 * or PostgreSQL, as the instances run) while the instances are stopped; the credentials are signed
 * with the instances' keys (the data directory's, or the cluster's encrypted keys in the database).
 * Returns what the benchmark needs to check the expiry.
 */
import { ulid } from "ulid";
import { openStore } from "../../src/adapters/sqlite/open-store.ts";
import type { Stores } from "../../src/adapters/open-stores.ts";
import { openPgStore } from "../../src/adapters/postgres/open-pg-store.ts";
import { PgKeyStore } from "../../src/adapters/postgres/pg-key-store.ts";
import { loadOrCreateSigningKeys, type SigningKeys } from "../../src/adapters/credentials/key-store.ts";
import { JoseCredentialSigner } from "../../src/adapters/credentials/jose-credential-signer.ts";
import { renderGrantFile } from "../../src/domain/grant-file-text.ts";
import { grantBranch, grantFilePath, type Grant } from "../../src/domain/grant.ts";
import { formatDuration } from "../../src/domain/durations.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import type { WorldPerson } from "../crash/world.ts";
import type { BenchCluster } from "./bench-cluster.ts";
import { mapLimit } from "./stats.ts";
import { addMembers, ensureUsers } from "./scim-targets.ts";

export interface SeededGrant {
  id: string;
  email: string;
  expiresAt: number;
  token: string;
}

type SeedStore = Pick<Stores, "grants" | "credentials" | "jobs" | "audit" | "transactor"> & { close(): Promise<void> };

/** The stores the instances use, opened for writing, and their signing keys. */
async function openSeedStore(cluster: BenchCluster, clock: { now(): number }): Promise<{ store: SeedStore; keys: SigningKeys }> {
  const now = clock.now();
  if (!cluster.databaseUrl) return { store: openStore(cluster.world.dataDir, clock), keys: await loadOrCreateSigningKeys(cluster.world.dataDir, { now }) };
  const store = await openPgStore(cluster.databaseUrl, clock, { instanceId: "bench-seed", max: 2, applicationName: "grantbot-bench-seed" });
  try {
    const kek = Buffer.from(cluster.world.env.GRANTBOT_KEY_ENCRYPTION_KEY!, "base64");
    return { store, keys: await new PgKeyStore({ db: store.db, keyEncryptionKey: kek }).loadOrCreate(now) };
  } catch (err) {
    await store.close();
    throw err;
  }
}

export async function seedActiveGrants(
  cluster: BenchCluster,
  input: { people: WorldPerson[]; resource: (i: number) => string; expiresAt: (i: number) => number; scope: string; dm?: boolean },
): Promise<SeededGrant[]> {
  const { world } = cluster;
  // SCIM users and memberships, as activations would have left them (with the user id recorded),
  // written straight into each target's test server, one call per target and group.
  const byTarget = new Map<string, number[]>();
  input.people.forEach((_, i) => {
    const { target } = world.catalog.resources[input.resource(i)]!.scim;
    byTarget.set(target, [...(byTarget.get(target) ?? []), i]);
  });
  const userIds: string[] = new Array(input.people.length);
  for (const [target, indexes] of byTarget) {
    const server = world.scim.get(target)!;
    const ids = ensureUsers(server, indexes.map((i) => ({ userName: input.people[i]!.email })));
    const perGroup = new Map<string, string[]>();
    indexes.forEach((i, k) => {
      userIds[i] = ids[k]!;
      for (const g of world.catalog.resources[input.resource(i)]!.scim.groups) perGroup.set(g, [...(perGroup.get(g) ?? []), ids[k]!]);
    });
    for (const [g, members] of perGroup) addMembers(server, g, members);
  }
  for (const p of input.people) world.slack.addUser({ id: p.slack, email: p.email, name: p.email.split("@")[0]! });
  const now = Date.now();
  const clock = { now: () => now };
  const { store, keys } = await openSeedStore(cluster, clock);
  const signer = new JoseCredentialSigner({ keys, issuer: world.env.GRANTBOT_PUBLIC_URL!, clock });
  const rows = input.people.map((p, i) => {
    const id = ulid(now - 3_600_000 + i);
    const expiresAt = input.expiresAt(i);
    const activatedAt = now - 60_000;
    const durationMs = expiresAt - activatedAt;
    const resource = input.resource(i);
    const spec = world.catalog.resources[resource]!;
    return { p, id, expiresAt, activatedAt, durationMs, jti: ulid(now + i), resource, target: spec.scim.target, groups: spec.scim.groups, audience: spec.credential?.audience ?? resource, userId: userIds[i]! };
  });
  // The credential DMs (so the redaction at expiry has a real message to edit).
  const refs = await mapLimit(rows, 16, async (r) => {
    const token = (await signer.sign({ subject: r.p.email, audience: r.audience, scope: input.scope, grantId: r.id, jti: r.jti, issuedAt: r.activatedAt, expiresAt: r.expiresAt })).token;
    if (input.dm === false) return { token, ref: null };
    const res = await fetch(`${world.slack.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.slack.token}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: r.p.slack, text: `credential for grant ${r.id}: \`${token}\`` }),
    });
    const body = (await res.json()) as { ok: boolean; channel: string; ts: string };
    if (!body.ok) throw new Error("seeding chat.postMessage failed");
    return { token, ref: { channel: body.channel, ts: body.ts } };
  });

  try {
    await store.transactor.transaction(async () => {
      for (const [i, r] of rows.entries()) {
        const file = renderGrantFile({
          id: r.id,
          resource: r.resource,
          subject: r.p.email,
          requester: r.p.email,
          duration: formatDuration(r.durationMs),
          reason: "bench: simultaneous expiry",
          requested_at: new Date(Math.floor((r.activatedAt - 60_000) / 1000) * 1000).toISOString().replace(".000Z", "Z"),
        });
        const grant: Grant = {
          id: r.id,
          resource: r.resource,
          subject: r.p.email,
          requester: r.p.email,
          requesterSlackId: r.p.slack,
          durationMs: r.durationMs,
          reason: "bench: simultaneous expiry",
          requestedAt: r.activatedAt - 60_000,
          extends: null,
          state: "active",
          fileContent: file,
          filePath: grantFilePath(r.resource, r.id),
          branch: grantBranch(r.id),
          prNumber: null,
          prUrl: null,
          headSha: null,
          mergeSha: null,
          approvedBy: ["carol-gh"],
          approvedAt: r.activatedAt - 1000,
          activatedAt: r.activatedAt,
          expiresAt: r.expiresAt,
          endedAt: null,
          endReason: null,
          access: { target: r.target, groups: [...r.groups], userId: r.userId },
          credentialMessage: refs[i]!.ref,
          updatedAt: r.activatedAt,
        };
        await store.grants.insert(grant);
        await store.credentials.insert({ jti: r.jti, grantId: r.id, subject: r.p.email, audience: r.audience, scope: input.scope, kid: keys.current.kid, issuedAt: r.activatedAt, expiresAt: r.expiresAt, revokedAt: null });
        await store.jobs.enqueue({ kind: JOB.expire, payload: { grantId: r.id }, runAt: r.expiresAt, dedupeKey: `${JOB.expire}:${r.id}`, lockKey: `grant:${r.id}`, maxAttempts: null });
        await store.audit.append({ at: r.activatedAt, actor: "grantbot", action: "grant.activated", grantId: r.id, data: { target: r.target, groups: r.groups, verified: true, seeded: true } });
      }
    });
  } finally {
    await store.close();
  }
  return rows.map((r, i) => ({ id: r.id, email: r.p.email, expiresAt: r.expiresAt, token: refs[i]!.token }));
}
