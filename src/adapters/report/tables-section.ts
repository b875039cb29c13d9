/**
 * The evidence page's tables: the three-way comparison per managed group, then every grant,
 * leaver case, access review and break-glass use of the period, and the people named.
 */
import type { EvidenceReport, MembershipReason } from "../../domain/evidence-types.ts";
import { dur, esc, link, prLabel, t, table, type Cell } from "./html-kit.ts";

/** `email (Name)` when the directory knows a name; people appear by email as in people.yaml. */
export function namer(r: EvidenceReport): (email: string) => string {
  const names = new Map(r.people.filter((p) => p.name).map((p) => [p.email, p.name!]));
  return (email) => (names.has(email) ? `${email} (${names.get(email)})` : email);
}

function reasonText(r: MembershipReason): string {
  switch (r.kind) {
    case "grant":
      return `${r.emergency ? "emergency " : ""}grant ${r.grantId} until ${t(r.expiresAt)}`;
    case "standing":
      return "standing member (catalog)";
    case "in flight":
      return "change in flight (activation or removal queued)";
    case "none":
      return "none";
  }
}

export function groupsSection(r: EvidenceReport): string {
  const who = namer(r);
  const parts = r.groups.map((g, i) => {
    const head = `<h3>${esc(g.group)} <span class="muted">in ${esc(g.target)} · ${esc(g.resources.join(", "))} · ${g.enforce ? "enforce: repairs drift" : "enforce: off (reports drift)"}</span></h3>`;
    const unread = g.readError ? `<p class="bad-note">The live group could not be read: ${esc(g.readError)}. Its members are unknown here; nothing below is guessed.</p>` : "";
    const problems = g.members.filter((m) => m.problem).length;
    const summary = g.readError ? "" : `<p class="${problems ? "bad-note" : "good-note"}">${problems ? `${problems} disagreement(s)` : "Directory, grantbot and the target agree."}</p>`;
    const rows: Cell[][] = g.members.map((m) => [
      who(m.email),
      m.directory,
      m.reasons.map(reasonText).join("; "),
      m.inTarget === null ? "unknown (unreadable)" : m.inTarget ? "member" : "not a member",
      m.problem ?? "–",
      m.action ?? "–",
    ]);
    return `<div class="group">${head}${unread}${summary}${table(`table-group-${i}`, `members of ${g.group}`, ["person", "directory", "grantbot's reason", "live target", "disagreement", "what grantbot does"], rows, (k) => (g.members[k]!.problem ? "problem" : null), g.readError ? "No member is justified on grantbot's side; the live membership is unknown." : "The group is empty and nobody is justified in it.")}</div>`;
  });
  const intro = "For every group the catalog manages, now: the person's status in the directory (source of truth), why grantbot lets them be a member, and the target's live membership. Rows in red disagree.";
  return `<section id="groups"><h2>Three-way comparison (now)</h2><p>${esc(intro)}</p>${parts.length ? parts.join("") : '<p class="empty">No managed group (or the catalog could not be read: see the notes).</p>'}</section>`;
}

export function grantsTable(r: EvidenceReport): string {
  const rows: Cell[][] = r.grants.map((g) => [
    g.id,
    g.requester,
    g.subject,
    g.emergency ? `${g.resource} (emergency)` : g.resource,
    g.reason,
    { html: link(g.prUrl, g.prUrl ? prLabel(g.prUrl) : "") },
    g.approvers.join(", ") || "–",
    t(g.activatedAt),
    t(g.endedAt ?? (g.state === "active" ? g.expiresAt : null)),
    g.endReason ?? g.state,
    t(g.removalVerifiedAt),
  ]);
  return `<section id="grants"><h2>Grants (${r.grants.length})</h2><p>Every grant requested, live or ended in the period. Times are UTC. "active to" is the expiry for a grant still active.</p>${table("table-grants", "grants", ["grant", "requester", "person", "resource", "reason", "PR", "approvers", "active from", "active to", "end reason / state", "removal verified at"], rows, (i) => (r.grants[i]!.emergency ? "emergency" : null))}</section>`;
}

export function leaversTable(r: EvidenceReport): string {
  const who = namer(r);
  const rows: Cell[][] = r.leavers.map((l) => [who(l.email), l.caseId ?? "–", l.cause, l.source, t(l.detectedAt), t(l.completedAt), dur(l.tookMs), l.revoked, l.cancelled, l.orphans, l.status]);
  return `<section id="leavers"><h2>Leavers (${r.leavers.length})</h2>${table("table-leavers", "leavers", ["person", "case", "cause", "detected by", "detected at", "all removed at", "took", "grants revoked", "requests cancelled", "orphaned identities", "status"], rows, (i) => (r.leavers[i]!.status === "in progress" ? "problem" : null))}</section>`;
}

export function reviewsTable(r: EvidenceReport): string {
  const rows: Cell[][] = r.reviews.map((v) => [
    v.resource,
    { html: v.pr && /^https?:/.test(v.pr) ? link(v.pr, prLabel(v.pr)) : esc(v.pr ?? "–") },
    t(v.openedAt),
    v.members,
    v.overdue ? `${v.outcome} (overdue)` : v.outcome,
    t(v.closedAt),
    v.kept,
    v.removed,
    v.removals.map((x) => `${x.email}${x.verified ? " (verified)" : " (not verified)"}`).join(", ") || "–",
    v.approvers.map(namer(r)).join(", ") || "–",
    v.onMissed ?? "–",
  ]);
  return `<section id="reviews"><h2>Access reviews (${r.reviews.length})</h2>${table("table-reviews", "access reviews", ["resource", "PR", "opened", "members", "outcome", "closed", "kept", "removed", "removals", "approvers", "on missed"], rows, (i) => (r.reviews[i]!.overdue || r.reviews[i]!.outcome === "missed" ? "problem" : null))}</section>`;
}

export function breakglassTable(r: EvidenceReport): string {
  const who = namer(r);
  const rows: Cell[][] = r.breakglass.map((b) => [
    b.grantId ?? "–",
    who(b.subject),
    b.resource,
    b.reason,
    t(b.activatedAt),
    t(b.expiresAt),
    t(b.reviewDeadline),
    { html: b.pr && /^https?:/.test(b.pr) ? link(b.pr, prLabel(b.pr)) : esc(b.pr ?? "–") },
    t(b.reviewedAt),
    b.reviewers.map(who).join(", ") || "–",
    b.status,
  ]);
  const fine = new Set(["reviewed in time", "awaiting review"]);
  return `<section id="breakglass"><h2>Break-glass uses (${r.breakglass.length})</h2>${table("table-breakglass", "break-glass uses", ["grant", "person", "resource", "reason", "activated", "expires", "review due", "PR", "reviewed", "reviewers", "status"], rows, (i) => (fine.has(r.breakglass[i]!.status) ? null : "problem"))}</section>`;
}

export function peopleTable(r: EvidenceReport): string {
  const rows: Cell[][] = r.people.map((p) => [p.email, p.name ?? "–", p.github ?? "–"]);
  return `<section id="people"><h2>People</h2><p>People appear by email as in people.yaml; names come from the directory.</p>${table("table-people", "people", ["email", "name (directory)", "GitHub (people.yaml)"], rows)}</section>`;
}
