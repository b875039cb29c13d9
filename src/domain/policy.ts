/**
 * Catalog policy, evaluated twice: when a request is made and again when its PR is merged
 * (the catalog may have changed meanwhile). Pure: callers pass in the catalog, people.yaml,
 * team memberships and reviews they fetched.
 */
import { formatDuration, parseDuration } from "./durations.ts";
import type { ErrorCode } from "./errors.ts";
import type { Catalog, CatalogResource } from "./grant-files.ts";
import { evaluateApprovals, orList, type ApprovalsInput } from "./policy-approvals.ts";

export {
  evaluateApprovals,
  orList,
  resolvePersonByEmail,
  resolvePersonByGithub,
  resolvePersonBySlack,
  type ApprovalsInput,
  type ApprovalsResult,
  type ReviewInput,
} from "./policy-approvals.ts";

export type PolicyFailure = { ok: false; code: ErrorCode; message: string };

export interface RequestInput {
  catalog: Catalog;
  resource: string;
  /** As typed by the user; omitted or blank = the resource's `duration.default`. */
  duration?: string;
  reason: string;
  requester: { email: string; groups: readonly string[] };
}

export type RequestResult = { ok: true; resource: CatalogResource; durationMs: number } | PolicyFailure;

/** How many resource ids an `unknown_resource` message suggests. */
const SUGGESTED_IDS = 5;

/**
 * Checks a request against the catalog, in this order: the resource exists, the duration parses
 * (default when omitted), it is within min/max, a reason is given when required, and the
 * requester belongs to one of the `eligible` groups (case-insensitive) when that list is set.
 */
export function evaluateRequest(input: RequestInput): RequestResult {
  const { catalog, resource: id } = input;
  const resource = Object.hasOwn(catalog.resources, id) ? catalog.resources[id] : undefined;
  if (resource === undefined) {
    return { ok: false, code: "unknown_resource", message: unknownResourceMessage(catalog, id) };
  }

  const typed = input.duration?.trim() ?? "";
  const asked = typed === "" ? resource.duration.default : typed;
  const parsed = parseDuration(asked);
  if (!parsed.ok) return { ok: false, code: "bad_duration", message: parsed.error };

  const max = parseDuration(resource.duration.max);
  if (!max.ok) return { ok: false, code: "bad_duration", message: `${id} has an invalid max duration: ${max.error}` };
  if (parsed.ms > max.ms) {
    const limit = formatDuration(max.ms);
    return { ok: false, code: "bad_duration", message: `${id} allows at most ${limit}; ask for ${limit} or less` };
  }
  if (resource.duration.min !== undefined) {
    const min = parseDuration(resource.duration.min);
    if (!min.ok) return { ok: false, code: "bad_duration", message: `${id} has an invalid min duration: ${min.error}` };
    if (parsed.ms < min.ms) {
      const limit = formatDuration(min.ms);
      return { ok: false, code: "bad_duration", message: `${id} needs at least ${limit}; ask for ${limit} or more` };
    }
  }

  if (resource.reason_required && input.reason.trim() === "") {
    return {
      ok: false,
      code: "policy_denied",
      message: `${id} requires a reason (for example a ticket or incident id)`,
    };
  }

  if (resource.eligible !== undefined) {
    const mine = new Set(input.requester.groups.map((g) => g.toLowerCase()));
    if (!resource.eligible.some((g) => mine.has(g.toLowerCase()))) {
      const groups = resource.eligible.length === 0 ? "(no groups)" : orList(resource.eligible);
      return {
        ok: false,
        code: "policy_denied",
        message: `${id} may only be requested by members of ${groups}; ${input.requester.email} is in none of them`,
      };
    }
  }

  return { ok: true, resource, durationMs: parsed.ms };
}

export type MergeInput = RequestInput &
  Omit<ApprovalsInput, "resource" | "resourceId" | "requester"> & {
    /** The exact grant file text grantbot committed. */
    committedContent: string;
    /** The file's text in the merge commit; null when the file is absent there. */
    mergedContent: string | null;
  };

export type MergeResult =
  | {
      ok: true;
      resource: CatalogResource;
      durationMs: number;
      approvers: { login: string; email: string }[];
      message: string;
    }
  | PolicyFailure;

/**
 * Decides whether a merged grant PR may be activated: the merged file is byte-identical to the
 * committed one (`file_tampered`), the request still satisfies the catalog as it is at merge
 * time (codes of {@link evaluateRequest}), and the approvals suffice (`approval_missing`).
 */
export function evaluateMerge(input: MergeInput): MergeResult {
  if (input.mergedContent === null) {
    return { ok: false, code: "file_tampered", message: "the grant file is missing from the merge commit" };
  }
  if (input.mergedContent !== input.committedContent) {
    return { ok: false, code: "file_tampered", message: "the grant file was changed after grantbot wrote it" };
  }

  const request = evaluateRequest(input);
  if (!request.ok) return request;

  const approvals = evaluateApprovals({
    resource: request.resource,
    resourceId: input.resource,
    reviews: input.reviews,
    headSha: input.headSha,
    people: input.people,
    teamMembers: input.teamMembers,
    subject: input.subject,
    requester: input.requester.email,
    mergedAt: input.mergedAt ?? null,
  });
  if (!approvals.ok) return { ok: false, code: "approval_missing", message: approvals.message };
  return {
    ok: true,
    resource: request.resource,
    durationMs: request.durationMs,
    approvers: approvals.approvers,
    message: approvals.message,
  };
}

function unknownResourceMessage(catalog: Catalog, id: string): string {
  const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id;
  const ids = Object.keys(catalog.resources).sort();
  if (ids.length === 0) return `unknown resource "${shown}"; the catalog has no resources yet`;
  const some = ids.slice(0, SUGGESTED_IDS).join(", ");
  const more = ids.length > SUGGESTED_IDS ? ` and ${ids.length - SUGGESTED_IDS} more` : "";
  return `unknown resource "${shown}"; valid resources include ${some}${more}`;
}
