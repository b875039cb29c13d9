/**
 * 90 days of grantbot history for the evidence benchmark, written with the product's own stores
 * into a fresh data directory: `count` grants spread evenly over the period (requested, merged,
 * approved, activated, expired and removed, each with the audit rows grantbot writes), a few
 * rejected and declined, 1 % break-glass with their reviews, leaver cases, access reviews and
 * reconciliation runs. Deterministic (a seeded generator), so runs compare.
 */
import { openStore } from "../../src/adapters/sqlite/open-store.ts";
import { newGrant, type GrantState } from "../../src/domain/grant.ts";
import { benchResource, BENCH_GROUPS } from "./population.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const REASONS = ["INC-4821 investigate replica lag on the orders cluster", "CHG-1193 rotate the read-only role", "support ticket 77120: customer export stuck", "quarterly cost review of the billing tables", "on-call: elevated 5xx from the payments API"];

/** xorshift32: the same history every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

export interface HistoryShape {
  count: number;
  people: number;
  now: number;
}

export async function writeEvidenceHistory(dataDir: string, shape: HistoryShape): Promise<{ grants: number; auditRows: number }> {
  const random = rng(20260630);
  const store = openStore(dataDir, { now: () => shape.now });
  const start = shape.now - 90 * DAY;
  const step = (90 * DAY - 8 * HOUR) / shape.count;
  const email = (i: number) => `eng-${String(i + 1).padStart(5, "0")}@example.com`;
  let rows = 0;
  const audit = async (at: number, action: string, data: Record<string, unknown>, grantId: string | null = null) => {
    await store.audit.append({ at, actor: "grantbot", action, grantId, data });
    rows += 1;
  };
  try {
    await store.transactor.transaction(async () => {
      for (let i = 0; i < shape.count; i++) {
        const id = `01JZBENCH${String(i).padStart(17, "0")}`;
        const r = benchResource(i % BENCH_GROUPS);
        const subject = email(Math.floor(random() * shape.people));
        const requestedAt = Math.round(start + i * step);
        const merged = requestedAt + Math.round(2 * MIN + random() * 60 * MIN);
        const roll = random();
        const state: GrantState = roll < 0.01 ? "rejected" : roll < 0.02 ? "declined" : "expired";
        const approved = state === "expired";
        const activatedAt = merged + Math.round(150 + random() * 500);
        const durationMs = (1 + Math.floor(random() * 4)) * HOUR;
        const expiresAt = activatedAt + durationMs;
        const removedAt = expiresAt + Math.round(80 + random() * 600 + (random() < 0.002 ? 2_000 : 0));
        const emergency = approved && random() < 0.01;
        await store.grants.insert(
          newGrant({
            id, resource: r.id, subject, requester: subject, requesterSlackId: null, durationMs, reason: REASONS[i % REASONS.length]!, requestedAt, fileContent: "",
            state, prNumber: i + 1, prUrl: `https://github.com/acme/grants/pull/${i + 1}`, approvedBy: approved ? ["carol-gh"] : [], approvedAt: approved ? merged : null,
            activatedAt: approved ? activatedAt : null, expiresAt: approved ? expiresAt : null, endedAt: approved ? expiresAt : null, endReason: approved ? "expired" : null,
            access: approved ? { target: r.target, groups: [r.group] } : null, updatedAt: approved ? expiresAt : merged,
          }),
        );
        await audit(requestedAt, "grant.requested", { resource: r.id }, id);
        await audit(requestedAt + 900, "grant.pr_opened", { pr: i + 1 }, id);
        if (state === "declined") {
          await audit(merged, "grant.declined", { pr: i + 1 }, id);
          continue;
        }
        await audit(merged, "grant.pr_merged", { pr: i + 1, source: "webhook" }, id);
        if (state === "rejected") {
          await audit(merged, "grant.rejected", { pr: i + 1, code: "approval_missing" }, id);
          continue;
        }
        await audit(merged, "grant.approved", { pr: i + 1, approvers: [{ login: "carol-gh", email: "carol@example.com" }] }, id);
        await audit(activatedAt, "grant.activated", { target: r.target, groups: [r.group], verified: true }, id);
        if (emergency) {
          await audit(activatedAt + 900, "breakglass.activated", { resource: r.id, subject, reason: "prod incident", activatedAt: iso(activatedAt), expiresAt: iso(expiresAt), reviewDeadline: iso(activatedAt + DAY), pr: i + 1, url: `https://github.com/acme/grants/pull/${i + 1}` }, id);
          if (random() < 0.9) await audit(activatedAt + 4 * HOUR, "breakglass.reviewed", { approvers: [{ login: "carol-gh", email: "carol@example.com" }], withinDeadline: true, pr: i + 1, mergedAt: iso(activatedAt + 4 * HOUR) }, id);
        }
        await audit(expiresAt, "grant.expired", { credentialsRevoked: 1, lateByMs: 3 }, id);
        await audit(removedAt, "scim.member_removed", { target: r.target, group: r.group, subject, outcome: "removed", verified: true }, id);
      }
      for (let k = 0; k < Math.max(5, Math.round(shape.count / 200)); k++) {
        const at = start + Math.round(random() * 85 * DAY);
        await store.offboarding.insert({ id: `CASE-${k}`, email: `leaver-${k}@example.com`, source: "poll", cause: "deactivated", startedAt: at, revoked: [], cancelled: [], orphans: [], pendingNoticeAt: null, completedAt: at + Math.round(5_000 + random() * 60_000) });
      }
      for (let k = 0; k < BENCH_GROUPS; k++) {
        const r = benchResource(k);
        const opened = start + 10 * DAY + k * DAY;
        const members = Array.from({ length: 12 }, (_, m) => email(k * 12 + m));
        await audit(opened, "review.opened", { resource: r.id, members, pr: 90_000 + k, reviewId: `REV-${k}` });
        if (k % 7 === 0) await audit(opened + 14 * DAY, "review.overdue", { resource: r.id, members, on_missed: "revoke", deadlines: [iso(opened + 14 * DAY)] });
        else await audit(opened + 3 * DAY, "review.certified", { resource: r.id, kept: members.slice(1), removed: members.slice(0, 1), approvers: ["carol-gh"], pr: 90_000 + k, reviewId: `REV-${k}` });
      }
      for (let k = 0; k < 90 * 96; k++) await audit(start + k * 15 * MIN, "reconcile.run", { runId: `R${k}`, groups: BENCH_GROUPS, drift: k % 500 === 0, errors: 0, repairsQueued: k % 500 === 0 ? 1 : 0, fix: false });
    });
  } finally {
    await store.close();
  }
  return { grants: shape.count, auditRows: rows };
}
