/**
 * Membership changes with read-back. Each checks the target first, so repeating one (a job
 * re-run after a crash) sends no second PATCH. A change counts only once the target has been
 * read back: by the directory itself when it says so (the SCIM client reads back and falls back
 * to safer PatchOp forms when a 2xx was not applied), else here.
 */
import { AppError } from "../../domain/errors.ts";
import type { AccessTarget } from "../ports/index.ts";
import { mapLimit } from "../../shared/map-limit.ts";

async function resolve(directory: AccessTarget, email: string, group: string) {
  const user = await directory.findUser(email);
  const found = await directory.findGroup(group);
  return { user, group: found };
}

/**
 * Adds and confirms; resolves with the SCIM user id (recorded with the grant, so its removal
 * needs no lookup). Throws non-retryable `unknown_person`/`target_rejected` when user or group is
 * missing.
 */
export async function ensureMember(directory: AccessTarget, email: string, group: string, options: CheckOptions = {}): Promise<string> {
  const { user, group: g } = await resolve(directory, email, group);
  if (!user) throw new AppError("unknown_person", `${email} has no user in SCIM target ${directory.name}`, { retryable: false });
  if (!g) throw new AppError("target_rejected", `group "${group}" does not exist in SCIM target ${directory.name}`, { retryable: false });
  if ((options.checkFirst ?? true) && (await directory.isMember(g.id, user.id))) return user.id;
  await directory.addMember(g.id, user.id);
  if (!directory.addMemberReadsBack && !(await directory.isMember(g.id, user.id))) {
    throw new AppError("target_unavailable", `${directory.name} accepted the add but ${email} is not a member of "${group}" on read-back`);
  }
  return user.id;
}

export type RemovalOutcome = "removed" | "already_absent" | "no_user" | "no_group";

export interface CheckOptions {
  /**
   * Read the membership before changing it (default true), so that running the change again —
   * a job re-run after a crash — sends no second PATCH. A first attempt may skip it: the change
   * is idempotent and the read-back after it is what confirms the result.
   */
  checkFirst?: boolean;
}

/** Removes and confirms absence. Never removes without a concrete user id. */
export async function ensureNotMember(directory: AccessTarget, email: string, group: string): Promise<RemovalOutcome> {
  const { user, group: g } = await resolve(directory, email, group);
  if (!user) return "no_user";
  if (!g) return "no_group";
  if (!(await directory.isMember(g.id, user.id))) return "already_absent";
  const still = await stillMembersAfterRemoval(directory, g.id, [user.id], async () => ((await directory.isMember(g.id, user.id)) ? new Set([user.id]) : new Set()));
  if (still.size > 0) {
    throw new AppError("target_unavailable", `${directory.name} accepted the removal but ${email} is still a member of "${group}" on read-back`);
  }
  return "removed";
}

export interface RemovalTarget {
  email: string;
  /** The SCIM user id recorded at activation; looked up by email when absent. */
  userId?: string | null;
}

/**
 * Removes `ids` and reads back; resolves with the ids still members. The directory's own
 * read-back (removeMembers) is used when it did one, else `readBack`.
 */
async function stillMembersAfterRemoval(directory: AccessTarget, groupId: string, ids: string[], readBack: () => Promise<ReadonlySet<string>>): Promise<ReadonlySet<string>> {
  const still = directory.removeMembers ? await directory.removeMembers(groupId, ids) : undefined;
  if (still) return still;
  if (!directory.removeMembers) for (const id of ids) await directory.removeMember(groupId, id);
  return readBack();
}

/** Per removal target (same order): its outcome, or the error that stopped it (retry it). */
export type BatchRemovalResult = Array<RemovalOutcome | Error>;

/** Requests at once to a directory that does not say (AccessTarget.maxConcurrency). */
const DEFAULT_CONCURRENCY = 8;

/**
 * ensureNotMember for many users of one group, with the same guarantees — never a remove without
 * a concrete id, every removal confirmed by reading the group back — in as few requests as the
 * provider allows: one membership read (skipped with `checkFirst: false`), one PATCH per
 * `maxMembersPerPatch` members, one read-back (instead of three requests per user) — the
 * directory's own when its removeMembers reads back (the SCIM client then also retries in safer
 * forms a PATCH the target answered 2xx without applying). Providers without a whole-group read
 * fall back to isMember per user, at most `directory.maxConcurrency` at a time. A lookup that
 * fails fails only that user; a failing read or PATCH fails the users it concerned.
 */
export async function ensureNotMembers(directory: AccessTarget, group: string, targets: readonly RemovalTarget[], options: CheckOptions = {}): Promise<BatchRemovalResult> {
  if (targets.length === 0) return [];
  const g = await directory.findGroup(group);
  if (!g) return targets.map(() => "no_group" as const);
  const limit = directory.maxConcurrency ?? DEFAULT_CONCURRENCY;
  const users = await mapLimit(targets, limit, async (t) => {
    if (t.userId) return { id: t.userId } as { id: string } | null;
    try {
      return await directory.findUser(t.email);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  });
  const result: BatchRemovalResult = users.map((u) => (u instanceof Error ? u : u === null ? "no_user" : "already_absent"));
  const ids = [...new Set(users.flatMap((u) => (u && !(u instanceof Error) ? [u.id] : [])))];
  if (ids.length === 0) return result;
  const members = async (): Promise<Set<string>> => {
    const all = directory.memberIds ? await directory.memberIds(g.id) : null;
    if (all) return all;
    const present = await mapLimit(ids, limit, async (id) => ((await directory.isMember(g.id, id)) ? id : null));
    return new Set(present.filter((id): id is string => id !== null));
  };
  const before = (options.checkFirst ?? true) ? await members() : null;
  const present = before ? ids.filter((id) => before.has(id)) : ids;
  if (present.length > 0) {
    const after = await stillMembersAfterRemoval(directory, g.id, present, members);
    users.forEach((u, i) => {
      if (!u || u instanceof Error || !present.includes(u.id)) return;
      result[i] = after.has(u.id)
        ? new AppError("target_unavailable", `${directory.name} accepted the removal but ${targets[i]!.email} is still a member of "${group}" on read-back`)
        : "removed";
    });
  }
  return result;
}
