/**
 * Switchable lies of the SCIM test server: behaviours of real providers that answer success
 * without doing what was asked (SCIM-NOTES.md, "More than one SCIM server"). All off by default.
 * - `ignoredPatches`: PATCH forms answered 204 without being applied (seen: 204 to a remove whose
 *   path is `members[value eq "a" or value eq "b"]`, nothing removed). A PATCH with any op of an
 *   ignored form changes nothing.
 * - `rawFilterValues`: filter string literals compared as written, `\"` and `\\` not unescaped.
 * - `listStopsAfter`: a listing "ends" after `items` resources although totalResults says more:
 *   `empty-page` (index paging: empty pages past the cut, true totalResults), `short-page` (index
 *   paging: the page across the cut is cut short, itemsPerPage still the full page),
 *   `no-next-cursor` (cursor paging: no nextCursor from the page across the cut, whose reply
 *   carries the true totalResults).
 * - `omitFromLists`: users (by userName) left out of every listing, counts included — a listing
 *   that looks complete but skipped someone (offset paging while others are deleted); GET by id
 *   still returns them.
 */
import type { NextFunction, Request, Response } from "express";

export type PatchForm = "or-filter" | "value-filter" | "members-value" | "members-path-add" | "no-path-add";

export interface ScimLies {
  ignoredPatches?: PatchForm[];
  rawFilterValues?: boolean;
  listStopsAfter?: { items: number; how: "empty-page" | "short-page" | "no-next-cursor" };
  omitFromLists?: string[];
}

interface Op {
  op?: unknown;
  path?: unknown;
  value?: unknown;
}

/** The form of one PatchOp operation, or null when it is none of the member forms. */
export function formOf(operation: Op): PatchForm | null {
  const op = String(operation.op ?? "").toLowerCase();
  const path = typeof operation.path === "string" ? operation.path.trim() : undefined;
  if (op === "add") {
    if (path === undefined) return "no-path-add";
    return path.toLowerCase() === "members" ? "members-path-add" : null;
  }
  if (op !== "remove" || path === undefined) return null;
  if (path.toLowerCase() === "members") return operation.value === undefined ? null : "members-value";
  const filter = /^members\[(.*)\]$/is.exec(path)?.[1];
  if (filter === undefined) return null;
  return /\sor\s/i.test(filter.replace(/"(?:[^"\\]|\\.)*"/g, '""')) ? "or-filter" : "value-filter";
}

/** Middleware, in front of the protocol handling: answers an ignored PATCH with 204. */
export function patchLies(state: { lies: ScimLies }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const ignored = state.lies.ignoredPatches ?? [];
    if (req.method !== "PATCH" || ignored.length === 0 || !req.path.startsWith("/Groups/")) return next();
    const ops = ((req.body as { Operations?: Op[] } | undefined)?.Operations ?? []) as Op[];
    if (ops.some((o) => ignored.includes(formOf(o) as PatchForm))) {
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The raw text between the quotes of each literal (the `rawFilterValues` lie). */
export function rawLiteral(quoted: string): string {
  return quoted.slice(1, -1);
}

/**
 * Applies `listStopsAfter` to one ListResponse page. `start` is the 1-based index of its first
 * resource, `total` the true number of matches.
 */
export function lieAboutPage(page: Record<string, unknown>, lies: ScimLies, mode: "index" | "cursor", start: number, total: number): Record<string, unknown> {
  const cut = lies.listStopsAfter;
  const resources = page.Resources;
  if (!cut || !Array.isArray(resources)) return page;
  const end = start + resources.length - 1;
  if (mode === "cursor") {
    if (cut.how !== "no-next-cursor") return page;
    const { nextCursor, ...rest } = page;
    return end >= cut.items ? { ...rest, totalResults: total } : { ...rest, totalResults: total, ...(nextCursor === undefined ? {} : { nextCursor }) };
  }
  if (cut.how === "empty-page" && start > cut.items) return { ...page, Resources: [], itemsPerPage: 0, totalResults: total };
  if (cut.how === "short-page" && start <= cut.items && end > cut.items) {
    return { ...page, Resources: resources.slice(0, cut.items - start + 1), itemsPerPage: resources.length, totalResults: total };
  }
  return page;
}
