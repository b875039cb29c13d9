/**
 * In-memory state of the SCIM test server: users, groups and their memberships. Plain data,
 * no HTTP. The scimmy handlers (scimmy-handlers.ts) and the test-control API both use it.
 */
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

export interface FakeUser {
  id: string;
  userName: string;
  active: boolean;
  displayName?: string;
  externalId?: string;
  emails?: { value: string; primary?: boolean; type?: string }[];
  name?: Record<string, string>;
  managerId?: string;
}

export interface FakeGroup {
  id: string;
  displayName: string;
  /** Member ids in insertion order, never duplicated. */
  members: string[];
}

/** Thrown by the store; the handlers turn it into a SCIM error with this status. */
export class StoreError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: string | null,
    message: string,
  ) {
    super(message);
  }
}

export class ScimStore {
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, FakeGroup>();
  #seq = 0;

  newId(prefix: string): string {
    this.#seq += 1;
    return `${prefix}-${this.#seq.toString(36).padStart(4, "0")}-${Math.random().toString(16).slice(2, 10)}`;
  }

  /** userName is case-insensitive (RFC 7643 §4.1.1): the lookup ignores case. */
  userByName(userName: string): FakeUser | undefined {
    const wanted = userName.toLowerCase();
    for (const user of this.users.values()) if (user.userName.toLowerCase() === wanted) return user;
    return undefined;
  }

  groupByName(displayName: string): FakeGroup | undefined {
    for (const group of this.groups.values()) if (group.displayName === displayName) return group;
    return undefined;
  }

  /** A user by id, else by userName (test-control convenience). */
  resolveUser(idOrUserName: string): FakeUser | undefined {
    return this.users.get(idOrUserName) ?? this.userByName(idOrUserName);
  }

  requireGroup(displayName: string): FakeGroup {
    const group = this.groupByName(displayName);
    if (!group) throw new Error(`scim test server: no group named ${displayName}`);
    return group;
  }

  requireUser(idOrUserName: string): FakeUser {
    const user = this.resolveUser(idOrUserName);
    if (!user) throw new Error(`scim test server: no user ${idOrUserName}`);
    return user;
  }

  saveUser(user: FakeUser): FakeUser {
    const clash = this.userByName(user.userName);
    if (clash && clash.id !== user.id) {
      throw new StoreError(409, "uniqueness", `userName ${user.userName} is already taken`);
    }
    this.users.set(user.id, user);
    return user;
  }

  /**
   * Stores a group. Duplicate member ids collapse into one (scimmy appends a repeated "add"
   * blindly) and unknown ids are refused, as real providers do.
   */
  saveGroup(group: FakeGroup): FakeGroup {
    const clash = this.groupByName(group.displayName);
    if (clash && clash.id !== group.id) {
      throw new StoreError(409, "uniqueness", `displayName ${group.displayName} is already taken`);
    }
    const members = [...new Set(group.members)];
    const unknown = members.filter((id) => !this.users.has(id) && !this.groups.has(id));
    if (unknown.length > 0) {
      throw new StoreError(400, "invalidValue", `unknown member id(s): ${unknown.join(", ")}`);
    }
    const saved = { ...group, members };
    this.groups.set(saved.id, saved);
    return saved;
  }

  /** Deletes a user and its memberships (scimmy leaves dangling members otherwise). */
  deleteUser(id: string): void {
    if (!this.users.delete(id)) throw new StoreError(404, null, `Resource ${id} not found`);
    for (const group of this.groups.values()) {
      group.members = group.members.filter((member) => member !== id);
    }
  }

  deleteGroup(id: string): void {
    if (!this.groups.delete(id)) throw new StoreError(404, null, `Resource ${id} not found`);
    for (const group of this.groups.values()) {
      group.members = group.members.filter((member) => member !== id);
    }
  }

  groupsOf(userId: string): FakeGroup[] {
    return [...this.groups.values()].filter((group) => group.members.includes(userId));
  }

  /** userId -> groups it is a direct member of (one pass, for list requests). */
  membershipIndex(): Map<string, FakeGroup[]> {
    const index = new Map<string, FakeGroup[]>();
    for (const group of this.groups.values()) {
      for (const id of group.members) index.set(id, [...(index.get(id) ?? []), group]);
    }
    return index;
  }

  /** The SCIM representation handed to scimmy for output (`groups` is read-only, derived). */
  userRecord(user: FakeUser, index?: Map<string, FakeGroup[]>): Record<string, unknown> {
    const groups = index ? (index.get(user.id) ?? []) : this.groupsOf(user.id);
    const record: Record<string, unknown> = {
      id: user.id,
      userName: user.userName,
      active: user.active,
      groups: groups.map((g) => ({ value: g.id, display: g.displayName, type: "direct" })),
    };
    if (user.displayName !== undefined) record.displayName = user.displayName;
    if (user.externalId !== undefined) record.externalId = user.externalId;
    if (user.emails !== undefined) record.emails = user.emails;
    if (user.name !== undefined) record.name = user.name;
    if (user.managerId !== undefined) {
      const manager = this.users.get(user.managerId);
      record[ENTERPRISE_USER] = {
        manager: { value: user.managerId, ...(manager?.displayName ? { displayName: manager.displayName } : {}) },
      };
    }
    return record;
  }

  groupRecord(group: FakeGroup, withMembers = true): Record<string, unknown> {
    return {
      id: group.id,
      displayName: group.displayName,
      members: withMembers
        ? group.members.map((id) => {
            const user = this.users.get(id);
            return user
              ? { value: id, display: user.displayName ?? user.userName, type: "User" }
              : { value: id, display: this.groups.get(id)?.displayName, type: "Group" };
          })
        : [],
    };
  }
}
