/**
 * Reading users for the directory feature (leaver detection, managers): one user with the
 * enterprise extension's `manager`, and the whole user list page by page.
 */
import { ENTERPRISE_USER_SCHEMA, type ScimUserBody } from "./scim-schemas.ts";
import { normaliseUserName } from "./scim-filter.ts";

/** A directory user as grantbot reads it. */
export interface ScimUser {
  id: string;
  /** Lower-cased (see normaliseUserName). */
  userName: string;
  /** RFC 7643: absent `active` means active. */
  active: boolean;
  displayName: string | null;
  /** Primary (else first) email, lower-cased, or null. */
  email: string | null;
  /** SCIM id of the manager (enterprise extension `manager.value`), or null. */
  managerId: string | null;
  /** Every attribute as received (extensions included; `active` normalised to a boolean). */
  raw: Record<string, unknown>;
}

export interface ListUsersOptions {
  /** A SCIM filter built with scim-filter.ts (e.g. `eq("active", ...)`); support varies. */
  filter?: string;
  /** Page size hint (capped by the profile). */
  count?: number;
}

/** The directory-facing operations (beyond the AccessTarget port). */
export interface ScimUserSource {
  readonly name: string;
  /** The user with this SCIM id (with `managerId`), or null when the server says 404. */
  getUser(id: string): Promise<ScimUser | null>;
  /**
   * Calls `onPage` once per page of users, in server order, awaiting it before fetching the next
   * page. Resolves with page and user counts once the listing is proven complete; throws like
   * the AccessTarget methods, and `target_unavailable` when the server's own counts show the
   * listing stopped early (so a caller never infers "gone" from a cut listing).
   */
  listUsers(onPage: (users: ScimUser[]) => Promise<void> | void, options?: ListUsersOptions): Promise<{ pages: number; users: number }>;
}

function managerIdOf(body: ScimUserBody): string | null {
  const manager = body[ENTERPRISE_USER_SCHEMA]?.manager;
  if (typeof manager === "string") return manager || null; // some providers flatten it
  return manager?.value ? manager.value : null;
}

function emailOf(body: ScimUserBody): string | null {
  const emails = (body.emails ?? []).filter((e) => typeof e.value === "string" && e.value !== "");
  const chosen = emails.find((e) => e.primary === true) ?? emails[0];
  return chosen?.value ? chosen.value.toLowerCase() : null;
}

export function toScimUser(body: ScimUserBody): ScimUser {
  return {
    id: body.id,
    userName: normaliseUserName(body.userName),
    active: body.active ?? true,
    displayName: body.displayName ?? null,
    email: emailOf(body),
    managerId: managerIdOf(body),
    raw: body as Record<string, unknown>,
  };
}
