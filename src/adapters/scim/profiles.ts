/**
 * Vendor profiles: the few ways SCIM service providers differ that grantbot's client must know,
 * as data plus small functions that build PatchOp operations. Sources: RFC 7644 and each
 * vendor's public SCIM documentation (see docs in SCIM-NOTES.md).
 */
import { AppError } from "../../domain/errors.ts";
import { eq, memberValuePath } from "./scim-filter.ts";

export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

import { SCIM_PROFILE_NAMES, type ScimProfileName } from "../../shared/scim-profiles.ts";

export { SCIM_PROFILE_NAMES, type ScimProfileName };

export interface ScimProfile {
  name: ScimProfileName;
  /**
   * How isMember reads membership:
   * - `group-read`: GET /Groups/{id}?attributes=members and look for the user id. Works on any
   *   provider that returns members (the filter form `members[value eq "U"]` is less widely
   *   supported, e.g. not by AWS or by GitHub).
   * - `members-eq-filter`: GET /Groups?filter=id eq "G" and members eq "U" (AWS, whose
   *   GET /Groups returns empty `members`).
   */
  membershipCheck: "group-read" | "members-eq-filter";
  /**
   * Shape of the PatchOp that removes one member:
   * - `value-path`: `{"op":"remove","path":"members[value eq \"U\"]"}` (RFC 7644 §3.5.2.2);
   * - `members-value`: `{"op":"remove","path":"members","value":[{"value":"U"}]}` (AWS).
   * Either way the id is concrete: a remove with path `members` and nothing else would remove
   * EVERY member (RFC 7644 §3.5.2.2) and is never built.
   */
  removeShape: "value-path" | "members-value";
  /**
   * How listMembers works:
   * - `group-read`: member ids from GET /Groups/{id}, userNames resolved from /Users;
   * - `users-by-group`: GET /Users?filter=groups.value eq "G" (AWS: groups come back empty).
   */
  memberListing: "group-read" | "users-by-group";
  /** `index`: startIndex/count (RFC 7644 §3.4.2.4); `cursor`: cursor/nextCursor (AWS). */
  paging: "index" | "cursor";
  /** Largest `count` we ask for; providers may still return fewer. */
  maxPageSize: number;
  /** Whether `attributes`/`excludedAttributes` may be sent (AWS ignores or rejects them). */
  supportsAttributes: boolean;
  /** Most member changes one PATCH may carry (a batch removal is split into chunks of this size). */
  maxMembersPerPatch: number;
  /** Sustained write budget shared by every SCIM client of the tenant, per minute (informative). */
  writesPerMinute?: number;
  /** A User-Agent header is mandatory (we always send one; this makes an empty one an error). */
  requiresUserAgent: boolean;
  notes: string;
}

const base: Omit<ScimProfile, "name" | "notes"> = {
  membershipCheck: "group-read",
  removeShape: "value-path",
  memberListing: "group-read",
  paging: "index",
  maxPageSize: 100,
  supportsAttributes: true,
  maxMembersPerPatch: 100,
  requiresUserAgent: false,
};

export const SCIM_PROFILES: Readonly<Record<ScimProfileName, ScimProfile>> = {
  generic: { ...base, name: "generic", notes: "RFC 7643/7644 as written." },
  "aws-identity-center": {
    ...base,
    name: "aws-identity-center",
    membershipCheck: "members-eq-filter",
    removeShape: "members-value",
    memberListing: "users-by-group",
    paging: "cursor",
    maxPageSize: 100,
    supportsAttributes: false,
    maxMembersPerPatch: 100,
    notes:
      "Filters: only eq and and. GetGroup/ListGroups return empty members. ListUsers pages with " +
      "cursor/nextCursor (count <= 100) and filters on groups.value. PATCH answers 204. Throttles with 429.",
  },
  google: {
    ...base,
    name: "google",
    maxMembersPerPatch: 1,
    notes: "Remove must use members[value eq \"id\"]; one member change per PATCH.",
  },
  "github-emu": {
    ...base,
    name: "github-emu",
    requiresUserAgent: true,
    notes:
      "User-Agent required; paths are case-sensitive (/Users, /Groups). GitHub expects ONE writer: " +
      "the IdP's provisioning app. Writing EMU groups alongside it breaks the IdP's sync, so grantbot " +
      "should target the IdP's groups (which the IdP then pushes to GitHub teams), not EMU directly.",
  },
  slack: {
    ...base,
    name: "slack",
    writesPerMinute: 180,
    notes: "Org-wide limits shared by every SCIM client (writes ~600/min, group PATCH ~180/min): expect 429s.",
  },
  entra: {
    ...base,
    name: "entra",
    notes:
      "For directories fed by Entra ID provisioning: `active` may be the string \"False\" (accepted), " +
      "ops may be PascalCase. Group operations follow RFC 7644.",
  },
};

export function scimProfile(name: ScimProfileName): ScimProfile {
  return SCIM_PROFILES[name];
}

export interface PatchOperation {
  op: "add" | "remove";
  /** Absent only in the path-less add, whose value is `{"members":[...]}` (RFC 7644 §3.5.2.1). */
  path?: string;
  value?: { value: string }[] | { members: { value: string }[] };
}

/** Throws before anything is sent when an id is empty: it would make a remove mean "everyone". */
export function assertConcreteId(id: string, what: string): void {
  if (typeof id !== "string" || id.trim() === "") {
    throw new AppError("internal", `refusing to build a SCIM member change with an empty ${what}`);
  }
}

export function addMemberOperation(userId: string): PatchOperation {
  assertConcreteId(userId, "member id");
  return { op: "add", path: "members", value: [{ value: userId }] };
}

/** The path-less add, `{"op":"add","value":{"members":[{"value":"U"}]}}` (RFC 7644 §3.5.2.1). */
export function addMemberWithoutPathOperation(userId: string): PatchOperation {
  assertConcreteId(userId, "member id");
  return { op: "add", value: { members: [{ value: userId }] } };
}

export function removeMemberOperation(profile: ScimProfile, userId: string): PatchOperation {
  return removeOperation(profile.removeShape, userId);
}

/** The remove of one member in either shape (see `ScimProfile.removeShape`). */
export function removeOperation(shape: ScimProfile["removeShape"], userId: string): PatchOperation {
  assertConcreteId(userId, "member id");
  return shape === "members-value"
    ? { op: "remove", path: "members", value: [{ value: userId }] }
    : { op: "remove", path: memberValuePath(userId) };
}

/**
 * One `remove` of several members by a combined value filter: `members[value eq "A" or value eq
 * "B"]`. Every id is concrete (an empty list or id throws): the path can never match everyone.
 */
export function removeMembersOperation(userIds: readonly string[]): PatchOperation {
  if (userIds.length === 0) throw new AppError("internal", "refusing to build a remove of no members");
  for (const id of userIds) assertConcreteId(id, "member id");
  return { op: "remove", path: `members[${userIds.map((id) => eq("value", id)).join(" or ")}]` };
}

export function patchBody(profile: ScimProfile, operations: PatchOperation[]): Record<string, unknown> {
  if (operations.length > profile.maxMembersPerPatch) {
    throw new AppError("internal", `${profile.name} accepts at most ${profile.maxMembersPerPatch} member change(s) per PATCH`);
  }
  for (const operation of operations) {
    // Last line of defence: a remove on `members` must carry concrete ids.
    if (operation.op === "remove" && operation.path === undefined) throw new AppError("internal", "refusing to send a remove without a path");
    if (operation.op === "remove" && operation.path?.trim().toLowerCase() === "members") {
      const ids = Array.isArray(operation.value) ? operation.value : [];
      if (ids.length === 0) throw new AppError("internal", "refusing to send a filterless remove of members");
      for (const member of ids) assertConcreteId(member.value, "member id");
    }
  }
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}
