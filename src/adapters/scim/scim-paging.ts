/**
 * Walks a SCIM list page by page.
 * - index paging (RFC 7644 §3.4.2.4): `startIndex` is 1-based and `count` only a hint (a server
 *   may return fewer); advance by what came back and stop at `totalResults` or an empty page. A
 *   reply whose `startIndex` differs from the one asked means the server ignores paging (it would
 *   hand out page one forever), which is reported instead of looping.
 * - cursor paging (AWS IAM Identity Center): first `cursor=` empty, then each `nextCursor` until
 *   none comes back; pages may be shorter than `count`.
 */
import type { z } from "zod";
import { badReplyError } from "./scim-errors.ts";
import type { ScimHttp, Query } from "./scim-http.ts";
import type { ScimProfile } from "./profiles.ts";
import { listResponseSchema } from "./scim-schemas.ts";

/** Upper bound on pages, against servers that never say "done". */
const MAX_PAGES = 10_000;

export interface PagingStats {
  pages: number;
  items: number;
}

export async function forEachPage<T extends z.ZodType>(
  http: ScimHttp,
  profile: ScimProfile,
  list: { path: string; query?: Query; item: T; count?: number },
  /** Return `false` to stop early (no further page is fetched). */
  onPage: (items: z.output<T>[]) => Promise<void | boolean> | void | boolean,
): Promise<PagingStats> {
  const schema = listResponseSchema(list.item);
  const count = Math.min(list.count ?? profile.maxPageSize, profile.maxPageSize);
  const stats: PagingStats = { pages: 0, items: 0 };
  const request = `GET ${list.path}`;

  if (profile.paging === "cursor") {
    let cursor = "";
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await http.getJson(list.path, { ...list.query, cursor, count }, schema, "ListResponse");
      const items = reply.Resources ?? [];
      if (items.length > 0) {
        stats.pages += 1;
        stats.items += items.length;
        if ((await onPage(items)) === false) return stats;
      }
      const next = reply.nextCursor ?? null;
      if (!next) return stats;
      if (next === cursor) throw badReplyError(http.target, request, "nextCursor repeats the cursor just used");
      cursor = next;
    }
    throw badReplyError(http.target, request, `more than ${MAX_PAGES} pages`);
  }

  let startIndex = 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await http.getJson(list.path, { ...list.query, startIndex, count }, schema, "ListResponse");
    if (reply.startIndex !== undefined && reply.startIndex !== startIndex) {
      throw badReplyError(http.target, request, `asked for startIndex ${startIndex}, got ${reply.startIndex}`);
    }
    const items = reply.Resources ?? [];
    if (items.length === 0) return stats;
    stats.pages += 1;
    stats.items += items.length;
    if ((await onPage(items)) === false) return stats;
    startIndex += items.length;
    if (reply.totalResults !== undefined && startIndex > reply.totalResults) return stats;
  }
  throw badReplyError(http.target, request, `more than ${MAX_PAGES} pages`);
}

/** First page only (for lookups by a unique attribute). */
export async function firstPage<T extends z.ZodType>(
  http: ScimHttp,
  path: string,
  query: Query,
  item: T,
): Promise<z.output<T>[]> {
  const reply = await http.getJson(path, query, listResponseSchema(item), "ListResponse");
  return reply.Resources ?? [];
}
