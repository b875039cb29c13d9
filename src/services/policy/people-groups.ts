/**
 * Whose groups decide `eligible`: the directory's record of the person when grantbot has one
 * with groups (a directory is configured or a push carried them), else people.yaml's `groups`.
 */
import { AppError } from "../../domain/errors.ts";
import type { People } from "../../domain/grant-files.ts";
import { resolvePersonByEmail } from "../../domain/policy.ts";
import type { ServiceDeps } from "../deps.ts";

export type GroupsForDeps = Pick<ServiceDeps, "people">;

/** Groups used for `eligible` rules. */
export async function groupsFor(deps: GroupsForDeps, people: People, email: string): Promise<string[]> {
  const record = await deps.people.get(email.toLowerCase()) ?? null;
  if (record?.groups) return record.groups;
  return resolvePersonByEmail(people, email.toLowerCase())?.groups ?? [];
}

export type AssertNotLeaverDeps = Pick<ServiceDeps, "people">;

/**
 * Throws `policy_denied` when the directory says the person has left (inactive or deleted):
 * a leaver cannot file or be granted a request.
 */
export async function assertNotLeaver(deps: AssertNotLeaverDeps, email: string): Promise<void> {
  const record = await deps.people.get(email.toLowerCase()) ?? null;
  if (record && (!record.active || record.removedAt !== null)) {
    throw new AppError("policy_denied", `${email} is no longer active in the directory`);
  }
}
