/**
 * In-memory implementations of the credential and grant store ports, for service tests.
 * They keep the ports' documented contracts (idempotent credential insert, compare-and-set
 * grant updates with legal transitions only) so tests cannot pass on behaviour SQLite forbids.
 */
import { assertTransition, GRANT_STATES, newGrant, type Grant, type GrantState } from "../../src/domain/grant.ts";
import type { Clock, CredentialRecord, CredentialStore, GrantEnd, GrantStore } from "../../src/services/ports/index.ts";

export class InMemoryCredentialStore implements CredentialStore {
  readonly #rows = new Map<string, CredentialRecord>();

  async insert(record: CredentialRecord): Promise<void> {
    if (!this.#rows.has(record.jti)) this.#rows.set(record.jti, { ...record });
  }

  async get(jti: string): Promise<CredentialRecord | null> {
    const row = this.#rows.get(jti);
    return row ? { ...row } : null;
  }

  async forGrant(grantId: string): Promise<CredentialRecord[]> {
    return [...this.#rows.values()].filter((r) => r.grantId === grantId).map((r) => ({ ...r }));
  }

  async revokeForGrant(grantId: string, at: number): Promise<number> {
    let count = 0;
    for (const row of this.#rows.values()) {
      if (row.grantId === grantId && row.revokedAt === null) {
        row.revokedAt = at;
        count++;
      }
    }
    return count;
  }

  async revokeForGrants(grantIds: readonly string[], at: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const grantId of new Set(grantIds)) {
      const count = await this.revokeForGrant(grantId, at);
      if (count > 0) counts.set(grantId, count);
    }
    return counts;
  }
}

export class InMemoryGrantStore implements GrantStore {
  readonly #rows = new Map<string, Grant>();

  constructor(private readonly clock: Clock = { now: () => 0 }) {}

  async insert(grant: Grant): Promise<void> {
    if (this.#rows.has(grant.id)) throw new Error(`grant ${grant.id} already exists`);
    this.#rows.set(grant.id, clone(grant));
  }

  async get(id: string): Promise<Grant | null> {
    const row = this.#rows.get(id);
    return row ? clone(row) : null;
  }

  async getByPrNumber(prNumber: number): Promise<Grant | null> {
    const row = [...this.#rows.values()].find((g) => g.prNumber === prNumber);
    return row ? clone(row) : null;
  }

  async update(id: string, fromStates: readonly GrantState[], patch: Partial<Omit<Grant, "id">>): Promise<boolean> {
    const row = this.#rows.get(id);
    if (!row || !fromStates.includes(row.state)) return false;
    if (patch.state !== undefined && patch.state !== row.state) assertTransition(row.state, patch.state);
    Object.assign(row, clone(patch), { updatedAt: this.clock.now() });
    return true;
  }

  async getMany(ids: readonly string[]): Promise<Grant[]> {
    return [...new Set(ids)].flatMap((id) => (this.#rows.has(id) ? [clone(this.#rows.get(id)!)] : []));
  }

  /** All transitions checked first (nothing changes when one is illegal); the first end per id wins. */
  async endMany(ends: readonly GrantEnd[]): Promise<Grant[]> {
    for (const end of ends) if (end.from !== end.state) assertTransition(end.from, end.state);
    const seen = new Set<string>();
    const ended: Grant[] = [];
    for (const { id, from, state, endedAt, endReason } of ends) {
      if (seen.has(id)) continue;
      seen.add(id);
      const row = this.#rows.get(id);
      if (!row || row.state !== from) continue;
      Object.assign(row, { state, endedAt, endReason, updatedAt: endedAt });
      ended.push(clone(row));
    }
    return ended;
  }

  async listByState(states: readonly GrantState[], limit = Number.POSITIVE_INFINITY): Promise<Grant[]> {
    return this.#sorted((g) => states.includes(g.state), (a, b) => a.requestedAt - b.requestedAt).slice(0, limit);
  }

  async listBySubject(subject: string, states: readonly GrantState[]): Promise<Grant[]> {
    return this.#sorted((g) => g.subject === subject && states.includes(g.state), (a, b) => a.requestedAt - b.requestedAt);
  }

  async listBySubjects(subjects: readonly string[], states: readonly GrantState[]): Promise<Grant[]> {
    return this.#sorted(
      (g) => subjects.includes(g.subject) && states.includes(g.state),
      (a, b) => a.requestedAt - b.requestedAt || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)),
    );
  }

  async listDueForExpiry(at: number, limit: number): Promise<Grant[]> {
    return this.#sorted(
      (g) => g.state === "active" && g.expiresAt !== null && g.expiresAt <= at,
      (a, b) => a.expiresAt! - b.expiresAt!,
    ).slice(0, limit);
  }

  async nextExpiry(): Promise<number | null> {
    const due = await this.listDueForExpiry(Number.POSITIVE_INFINITY, 1);
    return due[0]?.expiresAt ?? null;
  }

  async countByState(): Promise<Record<GrantState, number>> {
    const counts = Object.fromEntries(GRANT_STATES.map((s) => [s, 0])) as Record<GrantState, number>;
    for (const g of this.#rows.values()) counts[g.state]++;
    return counts;
  }

  #sorted(keep: (g: Grant) => boolean, order: (a: Grant, b: Grant) => number): Grant[] {
    return [...this.#rows.values()].filter(keep).sort(order).map(clone);
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A grant with every field filled; override what the test cares about. */
export function makeGrant(overrides: Partial<Grant> = {}): Grant {
  return newGrant({
    id: overrides.id ?? "01JD2S3K7Q8R9T0V1W2X3Y4Z5A",
    resource: overrides.resource ?? "prod-db-readonly",
    subject: "alice@example.com",
    requester: "alice@example.com",
    requesterSlackId: null,
    durationMs: 2 * 60 * 60 * 1000,
    reason: "INC-1234 investigate replica lag",
    requestedAt: 0,
    fileContent: "",
    updatedAt: 0,
    ...overrides,
  });
}
