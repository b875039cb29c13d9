/**
 * The evidence page's summary tiles, late expiries and audit-chain result.
 */
import type { EvidenceReport, Stat } from "../../domain/evidence-types.ts";
import { LATE_EXPIRY_MS } from "../../domain/evidence-grants.ts";
import { d, dur, esc, t, table, tile, type Tone } from "./html-kit.ts";

const p50p99 = (s: Stat) => `p50 ${d(s.p50)} · p99 ${d(s.p99)}`;
const under = (s: Stat, limitMs: number): Tone => (s.n === 0 ? "plain" : (s.p99 ?? 0) < limitMs ? "good" : "bad");

export function summarySection(r: EvidenceReport): string {
  const s = r.summary;
  const bg = s.breakglass;
  const auditHead = s.audit.headSeq === null ? "empty log" : `head seq ${s.audit.headSeq} · ${s.audit.headHash?.slice(0, 16)}…`;
  const tiles = [
    tile("Grants", `${s.requested} requested`, `${s.approved} approved · ${s.rejected} rejected at merge · ${s.declined} declined · ${s.activeNow} active now`),
    tile("Approval time (request → merge)", p50p99(s.approvalTime), `${s.approvalTime.n} approvals; max ${d(s.approvalTime.max)}`),
    tile("Access time (merge → effective)", p50p99(s.accessTime), `${s.accessTime.n} activations; bar: p99 < 1 s`, under(s.accessTime, 1_000)),
    tile("Expiry lag (expiry → removal verified)", `p50 ${d(s.expiryLag.p50)} · p99 ${d(s.expiryLag.p99)} · max ${d(s.expiryLag.max)}`, `${s.expiryLag.n} expiries; ${s.lateExpiries.length} later than 1 s or unverified`, s.lateExpiries.length ? "bad" : s.expiryLag.n ? "good" : "plain"),
    tile("Leavers (detection → all access removed)", `${s.leavers.count} leavers`, `${s.leavers.completed} completed · ${s.leavers.inProgress} in progress · p50 ${d(s.leavers.removal.p50)} · max ${d(s.leavers.removal.max)}`, s.leavers.inProgress ? "warn" : s.leavers.count ? "good" : "plain"),
    tile("Break-glass", `${bg.uses} uses`, `${bg["reviewed in time"]} reviewed in time · ${bg["reviewed late"]} late · ${bg.overdue} overdue · ${bg["awaiting review"]} awaiting review${bg["revoked unreviewed"] ? ` · ${bg["revoked unreviewed"]} revoked unreviewed` : ""}${bg["merged without review"] ? ` · ${bg["merged without review"]} merged without review` : ""}`, bg.overdue || bg["reviewed late"] || bg["merged without review"] ? "bad" : bg.uses ? "good" : "plain"),
    tile("Access reviews", `${s.reviews.certified} completed`, `${s.reviews.overdue} overdue · ${s.reviews.rejected} rejected · ${s.reviews.closed} closed · ${s.reviews.open} open`, s.reviews.overdue ? "bad" : s.reviews.certified ? "good" : "plain"),
    tile("Drift", `${s.drift.runsWithDrift} of ${s.drift.runs} runs found drift`, `${s.drift.repaired} repairs applied and verified · ${s.drift.repairsQueued} queued · ${s.drift.runsWithErrors} runs with unreadable groups`, s.drift.runsWithErrors ? "warn" : "plain"),
    groupsTile(r),
    tile("Audit log", s.audit.ok ? "chain intact" : "CHAIN BROKEN", `${s.audit.rows} rows · ${auditHead}`, s.audit.ok ? "good" : "bad"),
  ];
  return `<section id="summary"><h2>Summary</h2><div class="tiles">${tiles.join("")}</div></section>`;
}

function groupsTile(r: EvidenceReport): string {
  const problems = r.groups.reduce((n, g) => n + g.members.filter((m) => m.problem).length, 0);
  const unread = r.groups.filter((g) => g.readError).length;
  const detail = `${r.groups.length} managed groups compared with the directory and the live targets${unread ? ` · ${unread} could not be read` : ""}`;
  return tile("Three-way comparison (now)", problems ? `${problems} disagreement(s)` : "all agree", detail, problems || unread ? "bad" : r.groups.length ? "good" : "plain");
}

export function lateExpiriesSection(r: EvidenceReport): string {
  const late = r.summary.lateExpiries;
  const rows = late.map((l) => [l.grantId, l.resource, l.subject, t(l.expiresAt), l.verified ? t(l.removalVerifiedAt) : "not verified yet", dur(l.lagMs)]);
  const intro = late.length ? `Every expiry whose removal was verified more than ${LATE_EXPIRY_MS / 1_000} s after the expiry second, or not verified yet.` : `Every expiry in the period was removed and verified within ${LATE_EXPIRY_MS / 1_000} s.`;
  return `<section id="late-expiries"><h2>Late expiries</h2><p>${esc(intro)}</p>${late.length ? table("table-late", "late expiries", ["grant", "resource", "person", "expired at", "removal verified at", "lag"], rows) : ""}</section>`;
}

export function auditSection(r: EvidenceReport): string {
  const a = r.summary.audit;
  const problems = a.problems.length ? `<ul class="problems">${a.problems.map((p) => `<li>${esc(p)}</li>`).join("")}</ul>` : "";
  return `<section id="audit"><h2>Audit log integrity</h2><p>${a.ok ? "The hash chain verifies" : "The hash chain does NOT verify"} over ${a.rows} rows (<code>grantbot audit verify</code>). Chain head: seq <code>${esc(a.headSeq ?? "–")}</code>, hash <code class="hash">${esc(a.headHash ?? "–")}</code>. Compare the head with a copy of the log exported earlier (<code>grantbot audit export</code>) to see that nothing was rewritten.</p>${problems}</section>`;
}
