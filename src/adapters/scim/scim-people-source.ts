/**
 * PeopleSource over a SCIM 2.0 directory (the IdP or an HR-fed directory): every user, page
 * by page, without a filter on `active` (many servers cannot filter on it; a full listing costs
 * the same whether or not anything changed, and grantbot diffs it against its snapshot).
 *
 * A person's email is the userName when it looks like an email (that is what grant subjects and
 * SCIM targets use), else the primary email. Groups come from the read-only `groups` attribute.
 */
import { ScimGroupDirectory, type ScimGroupDirectoryOptions, type ScimUser } from "./index.ts";
import type { DirectoryPerson, PeopleSource } from "../../services/ports/index.ts";

/** Maps a SCIM user to a directory person; null when it has no usable email. */
export function toDirectoryPerson(user: ScimUser): DirectoryPerson | null {
  const email = user.userName.includes("@") ? user.userName : user.email;
  if (!email) return null;
  return {
    email: email.toLowerCase(),
    directoryId: user.id,
    active: user.active,
    managerId: user.managerId,
    displayName: user.displayName,
    groups: groupsOf(user.raw),
  };
}

function groupsOf(raw: Record<string, unknown>): string[] | null {
  const groups = raw.groups;
  if (!Array.isArray(groups)) return null;
  const names = groups
    .map((g) => (g && typeof g === "object" ? ((g as { display?: unknown }).display ?? null) : null))
    .filter((d): d is string => typeof d === "string" && d !== "");
  return [...new Set(names)];
}

export class ScimPeopleSource implements PeopleSource {
  readonly name: string;

  constructor(private readonly scim: Pick<ScimGroupDirectory, "listUsers" | "getUser" | "name">) {
    this.name = scim.name;
  }

  static fromConfig(options: ScimGroupDirectoryOptions): ScimPeopleSource {
    return new ScimPeopleSource(new ScimGroupDirectory(options));
  }

  async listPeople(onPage: (people: DirectoryPerson[]) => Promise<void> | void): Promise<{ pages: number; people: number }> {
    const stats = await this.scim.listUsers(async (users) => {
      await onPage(users.map(toDirectoryPerson).filter((p): p is DirectoryPerson => p !== null));
    });
    return { pages: stats.pages, people: stats.users };
  }

  async getPerson(directoryId: string): Promise<DirectoryPerson | null> {
    const user = await this.scim.getUser(directoryId);
    return user ? toDirectoryPerson(user) : null;
  }
}
