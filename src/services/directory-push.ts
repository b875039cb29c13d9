/**
 * Use case: a signed leaver/mover event pushed by an HR system or IdP (`POST /hooks/directory`;
 * the route has already checked signature, age and replay). The snapshot is updated first (so
 * the manager and groups it carries are kept), then the person is offboarded or their grants'
 * eligibility re-checked.
 */
import type { ServiceDeps } from "./deps.ts";
import { directoryStores } from "./directory-groups.ts";
import { offboardPerson, type OffboardResult } from "./offboard-person.ts";
import { revokeIneligibleGrants } from "./revoke-ineligible.ts";

export interface DirectoryPush {
  type: "leaver" | "mover";
  email: string;
  /** When the change happened (ms). */
  at: number;
  /** Known keys: `groups` (string[]), `manager` (email), `displayName`; others are kept as given. */
  attributes: Record<string, unknown>;
}

export type PushOutcome =
  | { type: "leaver"; offboarding: OffboardResult }
  | { type: "mover"; revoked: string[] };

export async function onDirectoryPush(deps: ServiceDeps, push: DirectoryPush): Promise<PushOutcome> {
  const { people } = directoryStores(deps);
  const email = push.email.trim().toLowerCase();
  const now = deps.clock.now();
  const { groups, manager, displayName, ...rest } = push.attributes;
  deps.tx.transaction(() => {
    const prev = people.get(email);
    people.put({
      email,
      directoryId: prev?.directoryId ?? null,
      active: push.type === "leaver" ? false : (prev?.active ?? true),
      managerId: prev?.managerId ?? null,
      managerEmail: typeof manager === "string" ? manager.toLowerCase() : (prev?.managerEmail ?? null),
      displayName: typeof displayName === "string" ? displayName : (prev?.displayName ?? null),
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : (prev?.groups ?? null),
      attributes: { ...prev?.attributes, ...rest },
      seenAt: now,
      removedAt: prev?.removedAt ?? null,
    });
    deps.audit.append({ at: now, actor: "directory:push", action: `directory.${push.type}`, data: { email, at: new Date(push.at).toISOString(), attributes: push.attributes } });
  });
  if (push.type === "leaver") {
    return { type: "leaver", offboarding: offboardPerson(deps, { email, cause: "pushed", source: "push", at: push.at }) };
  }
  return { type: "mover", revoked: await revokeIneligibleGrants(deps, email, "directory:push") };
}
