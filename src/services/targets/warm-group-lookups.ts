/**
 * At start-up: look up the SCIM id of every group the catalog manages, once, in the background.
 * The ids are cached by the target adapters, so the first revocations after a restart (often a
 * backlog of expiries that came due while grantbot was down) go straight to their PATCH instead
 * of first queuing one lookup per group. A group the target does not have is logged; the
 * activation or removal that needs it reports it as usual.
 */
import type { ServiceDeps } from "../deps.ts";

export async function warmGroupLookups(deps: Pick<ServiceDeps, "policy" | "targets" | "log">): Promise<{ found: number; missing: string[] }> {
  const { catalog } = await deps.policy.current();
  const pairs = new Map<string, { target: string; group: string }>();
  for (const resource of Object.values(catalog.resources)) {
    for (const group of resource.scim.groups) pairs.set(`${resource.scim.target}\u0000${group}`, { target: resource.scim.target, group });
  }
  let found = 0;
  const missing: string[] = [];
  await Promise.all(
    [...pairs.values()].map(async ({ target, group }) => {
      try {
        if (await deps.targets.get(target).findGroup(group)) found++;
        else missing.push(`${target}/${group}`);
      } catch (err) {
        deps.log.warn({ target, group, err: err instanceof Error ? err.message : String(err) }, "could not look up a catalog group at start-up");
      }
    }),
  );
  if (missing.length > 0) deps.log.error({ missing }, "catalog groups not found in their SCIM targets");
  return { found, missing };
}
