/**
 * Use case: a signed leaver/mover event pushed by an HR system or IdP (`POST /hooks/directory`;
 * the route has already checked signature and age). In ONE transaction: the delivery is recorded
 * (a replay changes nothing), the snapshot updated (so the manager and groups it carries are
 * kept), and the person offboarded or a durable eligibility re-check queued. A crash at any
 * point leaves either nothing or all of it, so the sender's retry is never half-applied.
 */
import type { ServiceDeps } from "../deps.ts";
import { offboardPerson, type OffboardResult } from "./offboard-person.ts";
import { queueMoverCheck } from "./revoke-ineligible.ts";

export interface DirectoryPush {
  type: "leaver" | "mover";
  email: string;
  /** When the change happened (ms). */
  at: number;
  /** Known keys: `groups` (string[]), `manager` (email), `displayName`; others are kept as given. */
  attributes: Record<string, unknown>;
}

export type PushOutcome = { type: "replay" } | { type: "leaver"; offboarding: OffboardResult } | { type: "mover"; queued: true };

export type OnDirectoryPushDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "deliveries" | "grants" | "homeUsers" | "ids" | "jobs" | "metrics" | "offboarding" | "people" | "tx" | "wake">;

/** `deliveryId`: identifies this exact signed delivery (the signature) for replay protection. */
export async function onDirectoryPush(deps: OnDirectoryPushDeps, push: DirectoryPush, deliveryId?: string): Promise<PushOutcome> {
  const { people } = deps;
  const email = push.email.trim().toLowerCase();
  const now = deps.clock.now();
  const { groups, manager, displayName, ...rest } = push.attributes;
  let outcome: PushOutcome = { type: "replay" };
  await deps.tx.transaction(async () => {
    if (deliveryId !== undefined && !await deps.deliveries.firstSeen("directory", deliveryId, now)) return;
    const prev = await people.get(email);
    await people.put({
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
    await deps.audit.append({ at: now, actor: "directory:push", action: `directory.${push.type}`, data: { email, at: new Date(push.at).toISOString(), attributes: push.attributes } });
    if (push.type === "leaver") {
      outcome = { type: "leaver", offboarding: await offboardPerson(deps, { email, cause: "pushed", source: "push", at: push.at }) };
    } else {
      await queueMoverCheck(deps, email, "directory:push");
      outcome = { type: "mover", queued: true };
    }
  });
  deps.wake();
  return outcome;
}
