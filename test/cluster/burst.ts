/**
 * The expiry burst of the cluster test: `count` active grants of one resource, each for its own
 * person, written straight into PostgreSQL with the product's stores (as activate-grant.ts leaves
 * a grant: the row, the credential record, the expiry job queued for `expiresAt`, the audit entry)
 * and the memberships put into the SCIM stand-in — 200 activations without 200 PR flows. The
 * instances hear of the jobs through the enqueue's NOTIFY, as they would of an activation on
 * another instance.
 *
 * And the accounting: which member each SCIM PATCH added or removed, and when it was answered.
 */
import { ulid } from "ulid";
import { JoseCredentialSigner } from "../../src/adapters/credentials/jose-credential-signer.ts";
import { PgKeyStore } from "../../src/adapters/postgres/pg-key-store.ts";
import { renderGrantFile } from "../../src/domain/grant-file-text.ts";
import { grantBranch, grantFilePath, type Grant } from "../../src/domain/grant.ts";
import { formatDuration } from "../../src/domain/durations.ts";
import { JOB } from "../../src/services/jobs/kinds.ts";
import { dedupeKeys, lockKeys } from "../../src/services/jobs/enqueue.ts";
import type { ScimTestServer } from "../fakes/scim-server/index.ts";
import { addMembers, ensureUsers } from "../bench/scim-targets.ts";
import { ISSUER, type ClusterWorld } from "./cluster-world.ts";

export interface BurstGrant {
  id: string;
  email: string;
  expiresAt: number;
  token: string;
}

export interface BurstInput {
  count: number;
  resource: { id: string; target: string; group: string; audience: string; scope: string };
  expiresAt(i: number): number;
}

export async function seedBurst(world: ClusterWorld, input: BurstInput): Promise<BurstGrant[]> {
  const { resource } = input;
  const store = await world.store();
  const emails = Array.from({ length: input.count }, (_, i) => `burst-${String(i).padStart(4, "0")}@example.com`);
  const userIds = ensureUsers(world.scim(resource.target), emails.map((userName) => ({ userName })));
  addMembers(world.scim(resource.target), resource.group, userIds);

  const now = Date.now();
  const keys = await new PgKeyStore({ db: store.db, keyEncryptionKey: Buffer.from(world.keyEncryptionKey, "base64") }).loadOrCreate(now);
  const signer = new JoseCredentialSigner({ keys, issuer: ISSUER, clock: { now: () => now } });
  const activatedAt = now - 60_000;
  const seeded: BurstGrant[] = [];
  for (const [i, email] of emails.entries()) {
    const id = ulid(now - 3_600_000 + i);
    const jti = ulid(now + i);
    const expiresAt = input.expiresAt(i);
    const durationMs = expiresAt - activatedAt;
    const reason = "cluster test: simultaneous expiry";
    const fileContent = renderGrantFile({
      id, resource: resource.id, subject: email, requester: email, duration: formatDuration(durationMs), reason,
      requested_at: new Date(Math.floor((activatedAt - 60_000) / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    });
    const grant: Grant = {
      id, resource: resource.id, subject: email, requester: email, requesterSlackId: null, durationMs, reason,
      requestedAt: activatedAt - 60_000, extends: null, state: "active", fileContent, filePath: grantFilePath(resource.id, id),
      branch: grantBranch(id), prNumber: null, prUrl: null, headSha: null, mergeSha: null, approvedBy: ["carol-gh"],
      approvedAt: activatedAt - 1000, activatedAt, expiresAt, endedAt: null, endReason: null,
      access: { target: resource.target, groups: [resource.group], userId: userIds[i]! }, credentialMessage: null, updatedAt: activatedAt,
    };
    const token = (await signer.sign({ subject: email, audience: resource.audience, scope: resource.scope, grantId: id, jti, issuedAt: activatedAt, expiresAt })).token;
    await store.transactor.transaction(async () => {
      await store.grants.insert(grant);
      await store.credentials.insert({ jti, grantId: id, subject: email, audience: resource.audience, scope: resource.scope, kid: keys.current.kid, issuedAt: activatedAt, expiresAt, revokedAt: null });
      await store.jobs.enqueue({ kind: JOB.expire, payload: { grantId: id }, runAt: expiresAt, dedupeKey: dedupeKeys.expire(id), lockKey: lockKeys.grant(id), maxAttempts: null });
      await store.audit.append({ at: activatedAt, actor: "grantbot", action: "grant.activated", grantId: id, data: { target: resource.target, groups: [resource.group], verified: true, seeded: true } });
    });
    seeded.push({ id, email, expiresAt, token });
  }
  return seeded;
}

export interface MemberChange {
  op: "add" | "remove";
  /** The member's userName (its SCIM id when the server does not know it). */
  member: string;
  group: string;
  status: number;
  /** When the server answered (epoch ms). */
  at: number;
}

/** Every member added or removed by a PATCH the server answered 2xx (a batched remove counts once per member). */
export function memberChanges(server: ScimTestServer): MemberChange[] {
  const groupNames = new Map([...server.store.groups.values()].map((g) => [g.id, g.displayName]));
  const changes: MemberChange[] = [];
  for (const r of server.requests()) {
    if (r.method !== "PATCH" || !r.path.startsWith("/Groups/") || r.status < 200 || r.status > 299) continue;
    const group = groupNames.get(r.path.slice("/Groups/".length)) ?? r.path;
    for (const operation of ((r.body as { Operations?: unknown[] } | null)?.Operations ?? []) as Array<{ op?: string; path?: string; value?: unknown }>) {
      const op = String(operation.op ?? "").toLowerCase();
      if (op !== "add" && op !== "remove") continue;
      const fromPath = [...(operation.path ?? "").matchAll(/value eq "([^"]+)"/gi)].map((m) => m[1]!);
      const listed = Array.isArray(operation.value) ? operation.value : ((operation.value as { members?: unknown[] } | undefined)?.members ?? []);
      const ids = [...fromPath, ...(listed as Array<{ value: string }>).map((v) => v.value)];
      for (const id of ids) changes.push({ op, member: server.store.users.get(id)?.userName ?? id, group, status: r.status, at: r.finishedAt || r.receivedAt });
    }
  }
  return changes;
}

/** Nearest-rank percentile of `values` (ms). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
