/**
 * Break-glass (emergency) access: the rules of a request, and what marks a grant as one. An
 * emergency grant is active at once and reviewed after the fact on a PR (branch
 * `breakglass/<id>`, label `breakglass`); the resource's `breakglass` block in the catalog says
 * whether it is allowed, for how long at most and how soon the review must happen. Pure.
 */
import { formatDuration, parseDuration } from "./durations.ts";
import { AppError } from "./errors.ts";
import type { Grant } from "./grant.ts";
import type { Catalog, CatalogResource } from "./grant-files.ts";
import { evaluateRequest, type PolicyFailure, type RequestInput } from "./policy.ts";

export const BREAKGLASS_LABEL = "breakglass";
export const BREAKGLASS_BRANCH_PREFIX = "breakglass/";
/** The escalation of an overdue review is repeated this often until the review is done. */
export const ESCALATION_EVERY_MS = 86_400_000;

/**
 * Where a break-glass grant's after-the-fact review stands. `pending`: waiting for it.
 * `reviewed`: the PR was merged with valid approvals. `unreviewed_merge`: merged without them (it
 * does not count as the review). `rejected`: closed unmerged — the grant was revoked, and the
 * review is still owed (reopening, approving and merging the PR records it).
 */
export type BreakglassStatus = "pending" | "reviewed" | "unreviewed_merge" | "rejected";

/** Statuses in which the review is still owed. */
export const UNREVIEWED: readonly BreakglassStatus[] = ["pending", "unreviewed_merge", "rejected"];

/**
 * What people are told about a break-glass grant: it is active (`activated`; `activated_no_pr`
 * when its PR could not be opened yet), its review is overdue, its PR was closed unmerged or
 * merged without valid approvals, or it was reviewed after an escalation.
 */
export const BREAKGLASS_EVENTS = ["activated", "activated_no_pr", "overdue", "rejected_pr", "unreviewed_merge", "reviewed"] as const;
export type BreakglassEvent = (typeof BREAKGLASS_EVENTS)[number];
/** Who hears about it: the ops channel, the resource's `breakglass.channels`, the manager, the person. */
export const BREAKGLASS_AUDIENCES = ["ops", "channel", "manager", "requester"] as const;
export type BreakglassAudience = (typeof BREAKGLASS_AUDIENCES)[number];

/** `breakglass/<id>` */
export function breakglassBranch(id: string): string {
  return `${BREAKGLASS_BRANCH_PREFIX}${id}`;
}

/** Whether the grant is a break-glass grant (only grantbot names branches). */
export function isEmergencyGrant(grant: Pick<Grant, "branch">): boolean {
  return grant.branch.startsWith(BREAKGLASS_BRANCH_PREFIX);
}

/** A resource's `breakglass` block, parsed. */
export interface BreakglassPolicy {
  maxMs: number;
  reviewWithinMs: number;
  /** Slack channels alerted besides the ops channel. */
  channels: string[];
}

/** The resource's break-glass rules, or null when it does not allow break-glass (or they do not parse). */
export function breakglassPolicyOf(resource: CatalogResource | undefined): BreakglassPolicy | null {
  const block = resource?.breakglass;
  if (!block) return null;
  const max = parseDuration(block.max);
  const within = parseDuration(block.review_within);
  if (!max.ok || !within.ok) return null;
  return { maxMs: max.ms, reviewWithinMs: within.ms, channels: [...(block.channels ?? [])] };
}

/** Resource ids that allow break-glass, sorted. */
export function breakglassResources(catalog: Catalog): string[] {
  return Object.keys(catalog.resources)
    .filter((id) => breakglassPolicyOf(catalog.resources[id]) !== null)
    .sort();
}

export type BreakglassDecision = { ok: true; resource: CatalogResource; durationMs: number; policy: BreakglassPolicy } | PolicyFailure;

/**
 * Checks a break-glass request, in this order: the resource exists and allows break-glass, the
 * duration parses (omitted = `breakglass.max`) and is at most `breakglass.max` (a longer ask is
 * refused with the max in the message, never shortened), a reason is given (always, whatever
 * `reason_required` says), and the requester is eligible (`eligible`, as for a normal request).
 * `duration.min` does not apply: in an emergency a short grant is the better one.
 */
export function evaluateBreakglassRequest(input: RequestInput): BreakglassDecision {
  const { catalog, resource: id } = input;
  const resource = Object.hasOwn(catalog.resources, id) ? catalog.resources[id] : undefined;
  if (resource === undefined) return evaluateRequest(input) as PolicyFailure;
  const policy = breakglassPolicyOf(resource);
  if (policy === null) {
    const allowed = breakglassResources(catalog);
    const which = allowed.length === 0 ? "no resource allows it" : `resources that allow it: ${allowed.slice(0, 5).join(", ")}${allowed.length > 5 ? ", …" : ""}`;
    return { ok: false, code: "policy_denied", message: `${id} does not allow break-glass (${which}); ask for it with \`/access ${id} <duration> <reason>\`, reviewed before access` };
  }
  const max = formatDuration(policy.maxMs);
  const typed = input.duration?.trim() ?? "";
  const parsed = parseDuration(typed === "" ? max : typed);
  if (!parsed.ok) return { ok: false, code: "bad_duration", message: parsed.error };
  if (parsed.ms > policy.maxMs) {
    return { ok: false, code: "bad_duration", message: `break-glass on ${id} lasts at most ${max}; ask for ${max} or less (nothing was granted)` };
  }
  if (input.reason.trim() === "") {
    return { ok: false, code: "policy_denied", message: `break-glass needs a reason: the incident or ticket, and what you will do on ${id}` };
  }
  // Eligibility (and the resource's other request rules) exactly as for a normal request, with
  // the break-glass limit as the duration bounds.
  const bounded: CatalogResource = { ...resource, duration: { default: max, max }, reason_required: true };
  const request = evaluateRequest({ ...input, catalog: { resources: { [id]: bounded } }, duration: formatDuration(parsed.ms) });
  if (!request.ok) return request;
  return { ok: true, resource, durationMs: parsed.ms, policy };
}

/** Emergency grants are not extended: a normal (reviewed) request can follow. Throws `invalid_transition`. */
export function assertExtendable(grant: Pick<Grant, "id" | "branch" | "resource">): void {
  if (!isEmergencyGrant(grant)) return;
  throw new AppError(
    "invalid_transition",
    `grant ${grant.id} is a break-glass grant and cannot be extended; if you still need access, request it the normal way with \`/access ${grant.resource} <duration> <reason>\` (reviewed before access)`,
  );
}

/** When the n-th escalation of an overdue review is due (n = 0 at the deadline itself). */
export function escalationAt(deadline: number, n: number): number {
  return deadline + n * ESCALATION_EVERY_MS;
}
