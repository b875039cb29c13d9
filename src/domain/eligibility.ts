/**
 * The catalog's `eligible` rule on its own (evaluateRequest applies it at request and merge
 * time; movers re-apply it when a person's directory groups change). Pure.
 */
import type { CatalogResource } from "./grant-files.ts";

/** True when the resource has no `eligible` list or `groups` meets it (case-insensitive). */
export function isEligible(resource: Pick<CatalogResource, "eligible">, groups: readonly string[]): boolean {
  if (resource.eligible === undefined) return true;
  const mine = new Set(groups.map((g) => g.toLowerCase()));
  return resource.eligible.some((g) => mine.has(g.toLowerCase()));
}

/** Same members, ignoring case and order (a group list that did not really change). */
export function sameGroups(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  const norm = (x: readonly string[]) => [...new Set(x.map((g) => g.toLowerCase()))].sort().join("\u0000");
  return norm(a) === norm(b);
}
