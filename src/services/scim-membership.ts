/**
 * Membership changes with read-back. Each checks the target first, so repeating one (a job
 * re-run after a crash) sends no second PATCH.
 */
import { AppError } from "../domain/errors.ts";
import type { GroupDirectory } from "./ports.ts";

async function resolve(directory: GroupDirectory, email: string, group: string) {
  const user = await directory.findUser(email);
  const found = await directory.findGroup(group);
  return { user, group: found };
}

/** Adds and confirms. Throws non-retryable `unknown_person`/`target_rejected` when user or group is missing. */
export async function ensureMember(directory: GroupDirectory, email: string, group: string): Promise<void> {
  const { user, group: g } = await resolve(directory, email, group);
  if (!user) throw new AppError("unknown_person", `${email} has no user in SCIM target ${directory.name}`, { retryable: false });
  if (!g) throw new AppError("target_rejected", `group "${group}" does not exist in SCIM target ${directory.name}`, { retryable: false });
  if (await directory.isMember(g.id, user.id)) return;
  await directory.addMember(g.id, user.id);
  if (!(await directory.isMember(g.id, user.id))) {
    throw new AppError("target_unavailable", `${directory.name} accepted the add but ${email} is not a member of "${group}" on read-back`);
  }
}

export type RemovalOutcome = "removed" | "already_absent" | "no_user" | "no_group";

/** Removes and confirms absence. Never removes without a concrete user id. */
export async function ensureNotMember(directory: GroupDirectory, email: string, group: string): Promise<RemovalOutcome> {
  const { user, group: g } = await resolve(directory, email, group);
  if (!user) return "no_user";
  if (!g) return "no_group";
  if (!(await directory.isMember(g.id, user.id))) return "already_absent";
  await directory.removeMember(g.id, user.id);
  if (await directory.isMember(g.id, user.id)) {
    throw new AppError("target_unavailable", `${directory.name} accepted the removal but ${email} is still a member of "${group}" on read-back`);
  }
  return "removed";
}
